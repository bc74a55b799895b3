#!/bin/bash
# Builds (once) and caches what the test guest boots: the kernel as an
# uncompressed ELF vmlinux (booting it saves ~3 s of decompression under
# emulation) and an initramfs (busybox-static, tests/vm/init, the few modules
# Debian builds as modules that /init needs). Prints the cache directory.
#
# The cache key is the kernel version plus the content of this script, of
# tests/vm/init and of busybox, so editing any of them rebuilds.
#   VM_KVER   kernel version to boot (default: the newest /boot/vmlinuz-* whose
#             modules are installed)
#   VM_CACHE  cache root (default /var/cache/cgkit-vm, or $TMPDIR/cgkit-vm when
#             /var/cache is not writable)
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Modules the guest's /init loads, dependencies first (found with modprobe -S).
# virtio_pci: the bus; 9pnet_virtio + 9p: the host's / and the rw shares;
# overlay: writable root; virtio_blk: a disk for io-limit tests; bfq: the
# I/O scheduler whose cgroup policy gives v1 blkio.bfq.weight (and v2
# io.bfq.weight), built into our hosts' kernels, a module in Debian's.
VM_MODULES="virtio_pci virtio_blk 9pnet_virtio 9p overlay bfq"

die() { echo "vm-build: $*" >&2; exit 1; }

pick_kver() {
	local v best=""
	for v in /boot/vmlinuz-*; do
		[ -f "$v" ] || continue
		v=${v#/boot/vmlinuz-}
		[ -d "/lib/modules/$v/kernel" ] || continue
		if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -1)" = "$v" ]; then
			best=$v
		fi
	done
	[ -n "$best" ] || die "no /boot/vmlinuz-* with modules in /lib/modules (make deps installs linux-image-amd64)"
	echo "$best"
}

# Writes the ELF image inside a bzImage to $2. A bzImage is a small
# decompressor followed by the compressed kernel; Debian compresses with xz.
# Each place where the xz stream magic (fd 37 7a 58 5a 00) occurs is tried
# until one decompresses to an ELF file (xz complains about the bytes that
# follow the stream; only the output counts).
extract_vmlinux() {
	local img=$1 out=$2 off unxz
	if command -v xz >/dev/null; then unxz="xz -dc"; else unxz="busybox xzcat"; fi
	for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img" | cut -d: -f1); do
		tail -c +"$((off + 1))" "$img" | $unxz >"$out.part" 2>/dev/null || true
		if [ "$(head -c 4 "$out.part" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			mv "$out.part" "$out"
			return 0
		fi
	done
	rm -f "$out.part"
	die "$img: no xz-compressed ELF kernel found inside"
}

build_initramfs() {
	local kver=$1 out=$2 stage m f a
	stage=$(mktemp -d "${TMPDIR:-/tmp}/cgkit-vm-initramfs.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$stage'" RETURN
	mkdir -p "$stage"/{bin,dev,proc,sys,lower,rw,newroot,etc}
	cp "$BUSYBOX" "$stage/bin/busybox"
	install -m 0755 "$VM_DIR/init" "$stage/init"
	: >"$stage/modules.list"
	for m in $VM_MODULES; do
		modprobe -S "$kver" --show-depends "$m" >"$stage/deps" ||
			die "modprobe -S $kver --show-depends $m failed"
		while read -r a f _; do
			[ "$a" = insmod ] || continue
			grep -qxF "$f" "$stage/modules.list" && continue
			mkdir -p "$stage$(dirname "$f")"
			case $f in
			*.ko) cp "$f" "$stage$f" ;;
			*.ko.xz) xz -dc "$f" >"$stage${f%.xz}"; f=${f%.xz} ;;
			*.ko.zst) zstd -qdc "$f" >"$stage${f%.zst}"; f=${f%.zst} ;;
			*) die "unexpected module file $f" ;;
			esac
			echo "$f" >>"$stage/modules.list"
		done <"$stage/deps"
	done
	rm -f "$stage/deps"
	# The applet links come last: cp onto such a link would overwrite busybox.
	for a in $(busybox --list); do
		[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
	done
	# Uncompressed: the kernel would otherwise spend emulated time unpacking.
	(cd "$stage" && find . | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$out.part"
	mv "$out.part" "$out"
}

main() {
	local kver key cache_root dir
	kver=${VM_KVER:-$(pick_kver)}
	[ -f "/boot/vmlinuz-$kver" ] || die "/boot/vmlinuz-$kver missing"
	[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver missing"
	BUSYBOX=$(command -v busybox) || die "busybox missing (make deps installs busybox-static)"
	ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked; install busybox-static"

	key=$(cat "$VM_DIR/build.sh" "$VM_DIR/init" "$BUSYBOX" | sha256sum | cut -c1-12)
	cache_root=${VM_CACHE:-/var/cache/cgkit-vm}
	if ! mkdir -p "$cache_root" 2>/dev/null || [ ! -w "$cache_root" ]; then
		cache_root=${TMPDIR:-/tmp}/cgkit-vm
		mkdir -p "$cache_root"
	fi
	dir=$cache_root/$kver-$key
	exec 9>"$cache_root/build.lock"
	flock 9
	if [ ! -f "$dir/vmlinux" ] || [ ! -f "$dir/initramfs.cpio" ]; then
		echo "vm-build: building $dir" >&2
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		extract_vmlinux "/boot/vmlinuz-$kver" "$dir.tmp/vmlinux"
		build_initramfs "$kver" "$dir.tmp/initramfs.cpio"
		echo "$kver" >"$dir.tmp/kver"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
		# older keys of this cache are stale now
		find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*-????????????' \
			! -path "$dir" -exec rm -rf {} +
	fi
	echo "$dir"
}

main "$@"
