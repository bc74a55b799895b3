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
python3 curl prometheus python3-prometheus-client atop
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
# The tests need some packages' programs, never their services (prometheus
# would otherwise start a server on :9090 and stay enabled; atop, the history
# bench's reference, a recorder writing /var/log/atop every 10 min): while apt
# installs, a policy-rc.d (the standard hook, only when the host has none)
# refuses every start, and the services of the packages installed here
# that ship one are disabled after.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	trap 'rm -f "$policy"' EXIT
	printf '#!/bin/sh\n# made by cgkit install-deps.sh for the length of one apt-get install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -n "$policy" ] && rm -f "$policy"
for p in $missing; do
	case $p in
	prometheus)
		if command -v systemctl >/dev/null; then
			systemctl disable prometheus.service >/dev/null 2>&1 || true
		fi
		echo "deps: prometheus installed for its programs; its service is neither started nor enabled"
		;;
	atop)
		if command -v systemctl >/dev/null; then
			systemctl disable atop.service atopacct.service atop-rotate.timer >/dev/null 2>&1 || true
		fi
		echo "deps: atop installed for its program (the history bench); its services are neither started nor enabled"
		;;
	esac
done
echo "deps: done"
