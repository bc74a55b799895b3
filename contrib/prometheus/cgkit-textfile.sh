#!/bin/sh
# Writes cgtop's metrics into node_exporter's textfile directory, atomically:
# a temporary file in the same directory (a name the collector skips: it
# reads only *.prom), renamed over cgkit.prom once whole. A failed run leaves
# the old file as it was, removes its temporary one and exits non-zero.
#   cgkit-textfile.sh [DIR [cgtop options and GROUP]]
# DIR defaults to Debian's /var/lib/prometheus/node-exporter; the options to
# "--depth 3 /"; $CGTOP names cgtop (default: the one in PATH).
set -u
dir=${1:-/var/lib/prometheus/node-exporter}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- --depth 3 /
t=$(mktemp "$dir/.cgkit.prom.XXXXXX") || exit 1
if "${CGTOP:-cgtop}" -b -n 1 --format prometheus "$@" >"$t" && chmod 0644 "$t" &&
	mv -f "$t" "$dir/cgkit.prom"; then
	exit 0
fi
rm -f "$t"
echo "cgkit-textfile: no new $dir/cgkit.prom (the old one, if any, stays)" >&2
exit 1
