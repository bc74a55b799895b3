#!/bin/sh
# Installs every Debian package that cgkit's build, tests, demo and benchmarks
# need. Idempotent: does nothing when all are there; runs apt-get update first
# only when something is missing (a fresh machine's lists can be empty).
#   install-deps.sh          everything: build, tests, guests, benchmarks
#   install-deps.sh build    only what building cgrun, cgtop and cgkitd and `make demo` need
set -eu
BUILD_PKGS="make gcc pkg-config libyaml-dev libncurses-dev libmicrohttpd-dev"
PKGS="$BUILD_PKGS clang libcmocka-dev
cgroup-tools tmux qemu-system-x86 linux-image-amd64 busybox-static
hyperfine runc bubblewrap systemd util-linux iproute2 procps psmisc
libclang-rt-14-dev valgrind cppcheck clang-tidy man-db groff-base
python3 curl prometheus python3-prometheus-client
debhelper lintian fakeroot bash-completion zsh"
[ "${1:-}" = build ] && PKGS=$BUILD_PKGS
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
