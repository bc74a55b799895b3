#!/bin/bash
# The parser on hostile input, as `cgrun --check` sees it, next to the time a
# process takes to do nothing (/bin/true) and to check a typical profile.
# libyaml 0.2.5 alone needs 18 s (here) to a minute for 100,000 nested '['.
. "$(dirname "$0")/../lib.sh"
command -v hyperfine >/dev/null || skip "hyperfine not installed"
d=$TMPD
printf '%*s' 100000 '' | tr ' ' '[' >"$d/deep.yaml"
{
	echo 'name: x'
	echo 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
	for i in 1 2 3 4 5 6 7 8 9; do
		p=$((i - 1))
		echo "a$i: &a$i [*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p]"
	done
} >"$d/laughs.yaml"
head -c 1048576 /dev/urandom | base64 -w 70 >"$d/junk.yaml"
head -c 1048000 "$d/junk.yaml" >"$d/junk1m.yaml"
cp "$TOP_DIR/profiles/web.yaml" "$d/web.yaml"
hyperfine -N -w 3 -r 30 -i --export-json "$d/h.json" \
	-n '/bin/true' '/bin/true' \
	-n 'check web.yaml' "$CGRUN --check -p $d/web.yaml" \
	-n 'check 100,000 nested [' "$CGRUN --check -p $d/deep.yaml" \
	-n 'check billion laughs' "$CGRUN --check -p $d/laughs.yaml" \
	-n 'check 1 MiB of junk' "$CGRUN --check -p $d/junk1m.yaml" >/dev/null 2>&1 ||
	fail "hyperfine failed"
python3 - "$d/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
print("cgrun --check on hostile input (medians of 30 runs, whole process)")
for x in r:
    print("  %-28s %8.2f ms   %5.1fx /bin/true" % (x["command"], x["median"] * 1e3, x["median"] / base))
PY
