#!/bin/sh
# Runs one fuzzer: run.sh BIN SECONDS. BIN is build-fuzz/fuzz_profile (the
# profile parser: seeds in corpus/, crashes kept in regressions/) or
# build-fuzz/fuzz_rules (cgkitd's rules parser: rules-corpus/,
# rules-regressions/), build-fuzz/fuzz_json (cgrun --from oci: json-corpus/,
# json-regressions/, replayed by test_convert) or build-fuzz/fuzz_cgconfig
# (libcgroup's files: cgconfig-corpus/, cgconfig-regressions/) or
# build-fuzz/fuzz_history (the history reader: history-corpus/,
# history-regressions/, replayed by test_history).
# Works on a copy of the seed corpus in a temporary directory, so the repo
# does not grow; fails when a crash is found, and keeps every crash ever found
# (test_fuzz_regressions replays them in `make unit`).
set -u
bin=${1:?usage: run.sh BIN SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
case $(basename "$bin") in
fuzz_rules*) corpus=rules-corpus regs=rules-regressions dict=rules.dict ;;
fuzz_cgconfig*) corpus=cgconfig-corpus regs=cgconfig-regressions dict=cgconfig.dict ;;
fuzz_history*) corpus=history-corpus regs=history-regressions dict=history.dict ;;
fuzz_json*) corpus=json-corpus regs=json-regressions dict=json.dict ;;
*) corpus=corpus regs=regressions dict=profile.dict ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/cgkit-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$work/corpus" "$work/artifacts" "$here/$regs"
cp "$here/$corpus"/* "$work/corpus/" 2>/dev/null
if [ "$corpus" = corpus ]; then
	cp "$here"/../../profiles/*.yaml "$here"/../profiles/*.yaml "$work/corpus/" 2>/dev/null
elif [ "$corpus" = json-corpus ] || [ "$corpus" = cgconfig-corpus ] ||
	[ "$corpus" = history-corpus ]; then
	:
else
	cp "$here"/../../contrib/rules.yaml "$work/corpus/" 2>/dev/null
fi
# crashes found before are seeds too: a fix must hold
for f in "$here/$regs"/*; do
	case $f in *README*) continue ;; esac
	[ -f "$f" ] && cp "$f" "$work/corpus/"
done

# An input that takes over 5 s counts as a crash (a hang): profiles are
# refused or parsed in milliseconds. FUZZ_MAX_LEN up to 1048576 hunts for slow
# large inputs; the default keeps executions fast.
max_len=${FUZZ_MAX_LEN:-65536}
echo "fuzz: $bin for ${secs}s on $(ls "$work/corpus" | wc -l) seeds, inputs up to $max_len bytes"
"$bin" -max_total_time="$secs" -max_len="$max_len" -timeout=5 -rss_limit_mb=2048 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	-dict="$here/$dict" "$work/corpus" >"$work/log" 2>&1
status=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$work/log"

found=0
for a in "$work"/artifacts/*; do
	[ -f "$a" ] || continue
	found=$((found + 1))
	name=$(basename "$a")
	cp "$a" "$here/$regs/$name"
	echo "fuzz: kept $name in tests/fuzz/$regs/ (commit it with the fix)"
done
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
	tail -n 60 "$work/log"
	echo "fuzz: FAILED (exit $status, $found crash input(s))"
	exit 1
fi
echo "fuzz: no crash in ${secs}s"
