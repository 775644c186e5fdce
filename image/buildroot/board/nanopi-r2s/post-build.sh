#!/bin/sh
# Buildroot post-build: the device layout pocketlb expects (same as the QEMU image):
# / read-only, /data mounted from partition 3, busybox init running the start scripts.
set -e
target="$1"
mkdir -p "$target/data"
grep -q '^/dev/mmcblk0p3' "$target/etc/fstab" 2>/dev/null ||
	echo '/dev/mmcblk0p3 /data ext4 rw,noatime,data=journal 0 2' >> "$target/etc/fstab"
# the network layout of this board (port 1 = eth0 LAN, port 2 = eth1 PC)
printf 'eth0 192.168.1.2/24 lan\neth1 10.42.0.1/24 pc\n' > "$target/etc/pocketlb/network.conf"
