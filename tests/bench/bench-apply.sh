#!/bin/bash
# Apply+remove of a five-controller profile: cgkit's library and cgrun, against
# the bare system calls (the floor) and libcgroup's tools, in one run.
. "$(dirname "$0")/../lib.sh"
ITER=${BENCH_ITER:-200}
read -r majmin _ <<<"$(root_blockdev)"
prof=$(make_profile five \
	"name: $UNIQ-bench" \
	"parent: self" \
	"cpu: {max: 20%, period: 100ms, weight: 200}" \
	"memory: {max: 256M, high: 200M}" \
	"io:" \
	"  weight: 300" \
	"  devices: [{path: \"$majmin\", read_bps: 10M, write_iops: 500}]" \
	"cpuset: {cpus: \"0\", mems: \"0\"}" \
	"pids: {max: 64}")
"$BUILD/bench_apply" "$prof" "$ITER" "$CGRUN"
