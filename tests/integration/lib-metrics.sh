# Shared helpers of the /metrics tests (41-cgkitd-metrics*.sh), sourced after
# ../lib.sh and lib-cgkitd.sh: a free loopback port, scrapes with curl, and
# reading one sample out of a scrape.
command -v curl >/dev/null || skip "curl needed to scrape /metrics"

# A loopback port nobody listens on now (the kernel's pick).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

MPORT=$(free_port)
MURL="http://127.0.0.1:$MPORT/metrics"
# The rules file's metrics section, for write_rules' head lines.
metrics_head() { # [port] [groups line]
	echo "metrics:"
	echo "  listen: \"127.0.0.1:${1:-$MPORT}\""
	[ -n "${2:-}" ] && echo "  $2"
	return 0
}

# GET /metrics into file $1; prints the HTTP status. Extra curl args after.
scrape() { # file [curl args...]
	local f=$1
	shift
	curl -s -m 10 -o "$f" -w '%{http_code}' "$@" "$MURL"
}

# The value of the sample NAME{LABELS} (exactly as written) in a scrape file,
# or nothing.
sample() { # file 'name{labels}'
	awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}

# The cgroup label of a group below the test's own group in controller $2's
# hierarchy, as the metrics write it ("/a/b").
mrel() { # name ctrl
	local r
	r=$(self_dir "$2")
	r=${r#"$(cg_mount "$2")"}/$1
	echo "/${r#/}"
}
