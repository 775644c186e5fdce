# Shared by the image tests (sourced after lib.sh, with <here> set to scripts/image): the two
# networks a device is plugged into, made as network namespaces with a bridge each, and QEMU
# guests of the image wired to them by TAP devices. Everything is named after the test's PID
# and removed at exit (guests_begin sets that up).
repo="$(cd "$here/../.." && pwd)"
out="$repo/image/out"
run=''
ns_lan="plb$$-lan"; ns_pc="plb$$-pc"
GUEST_PIDS=()
backends_pid=''

# guests_begin <tag>: checks the host, makes the scratch directory <run>, cleans up at exit.
guests_begin () {
  guests_preflight
  run="$(mktemp -d "/tmp/plb-image-$1.XXXXXX")"
  trap 'guests_cleanup; rm -rf "$run"' EXIT
}

in_lan () { ip netns exec "$ns_lan" "$@"; }
in_pc () { ip netns exec "$ns_pc" "$@"; }

guests_preflight () {
  need_debs qemu-system-arm curl socat iproute2 busybox-static
  [ "$(id -u)" = 0 ] || die "run as root (network namespaces and TAP devices need it)"
  [ -c /dev/net/tun ] || die "no /dev/net/tun: QEMU cannot make its TAP devices"
  [ -f "$out/qemu-virt.img" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ] || die "no image: run npm run image first"
}

guests_cleanup () {
  local pid
  for pid in "${GUEST_PIDS[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -n "$backends_pid" ] && kill "$backends_pid" 2>/dev/null
  ip netns del "$ns_lan" 2>/dev/null
  ip netns del "$ns_pc" 2>/dev/null
  return 0
}

# networks: the LAN namespace holds the factory config's servers, web1 on 192.168.1.10:80 and
# web2 on .11:80 (each answers its name); the PC namespace is a PC at 10.42.0.2. Their addresses
# sit on the bridge itself, so the bridge gets a MAC of its own: by default it takes the lowest of
# its ports' (the guests' TAP devices), and a killed guest's TAP leaving would change the servers'
# MAC under the surviving guest's ARP cache (web2 unreachable from it for up to a minute).
networks () {
  local ns mac=02:00:00:00:01:fe
  for ns in "$ns_lan" "$ns_pc"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add br0 address "$mac" type bridge
    ip -n "$ns" link set br0 up
    mac=02:00:00:00:02:fe
  done
  ip -n "$ns_lan" addr add 192.168.1.10/24 dev br0
  ip -n "$ns_lan" addr add 192.168.1.11/24 dev br0
  ip -n "$ns_pc" addr add 10.42.0.2/24 dev br0
  in_lan node "$here/backends.mjs" web1@192.168.1.10:80 web2@192.168.1.11:80 > "$run/backends.txt" & backends_pid=$!
  for _ in $(seq 50); do [ "$(wc -l < "$run/backends.txt")" = 2 ] && break; sleep 0.1; done
  [ "$(wc -l < "$run/backends.txt")" = 2 ] || die "the backends did not start"
}

# wire <tap> <namespace>: moves QEMU's TAP device into <namespace>'s bridge once QEMU made it
# (QEMU makes it in its own namespace; a TAP keeps its queue when moved).
wire () {
  for _ in $(seq 100); do ip link show "$1" >/dev/null 2>&1 && break; sleep 0.05; done
  ip link set "$1" netns "$2" || die "cannot move $1 into $2"
  ip -n "$2" link set "$1" master br0 up
}

# seed_data <disk> <dir>: replaces the disk's /data partition by a fresh one holding <dir>'s files
# (a device whose first boot finds its own network.conf, pocketlb.cfg, keepalived.conf).
seed_data () {
  local start size
  read -r start size < <(sfdisk --dump "$1" | awk -F'[=,]' '/name="?data/ { print $2 + 0, $4 + 0 }')
  [ -n "$size" ] || die "no data partition in $1"
  rm -f "$run/data.ext4"
  mkfs.ext4 -q -L pocketlb-data -J size=4 -d "$2" "$run/data.ext4" "$(( size / 2048 ))M"
  dd if="$run/data.ext4" of="$1" bs=512 seek="$start" conv=notrunc status=none
}

# guest_start <n> <name> <disk>: boots guest <n> (1-9) on <disk>, port 1 in the LAN namespace and
# port 2 in the PC one; its console goes to $run/console-<name>.log. Sets GUEST_PIDS[n], GUEST_T0[n].
declare -A GUEST_T0
guest_start () {
  local n="$1" console="$run/console-$2.log" tap_lan="plb$$l$1" tap_pc="plb$$p$1"
  : > "$console"
  GUEST_T0[$n]=$(date +%s.%N)
  nice -n 10 qemu-system-aarch64 -M virt -cpu cortex-a53 -m 256 -smp 1 -nographic -no-reboot \
    -kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
    -append "console=ttyAMA0 root=/dev/vda1 data=/dev/vda2 quiet panic=-1" \
    -drive "file=$3,format=raw,if=none,id=disk" -device virtio-blk-pci,drive=disk \
    -netdev "tap,id=lan,ifname=$tap_lan,script=no,downscript=no" -device "virtio-net-pci,netdev=lan,mac=52:54:00:00:01:0$n" \
    -netdev "tap,id=pc,ifname=$tap_pc,script=no,downscript=no" -device "virtio-net-pci,netdev=pc,mac=52:54:00:00:02:0$n" \
    -monitor "unix:$run/monitor-$n.sock,server,nowait" -serial "file:$console" -display none > "$run/qemu-$2.log" 2>&1 &
  GUEST_PIDS[$n]=$!
  wire "$tap_lan" "$ns_lan"
  wire "$tap_pc" "$ns_pc"
}

# guest_wait_started <n> <name>: until pocketlb's start line is on guest <n>'s console.
guest_wait_started () {
  local console="$run/console-$2.log"
  local deadline=$(( $(date +%s) + ${BOOT_TIMEOUT:-240} ))
  until grep -q 'pocketlb .* started' "$console"; do
    kill -0 "${GUEST_PIDS[$1]}" 2>/dev/null || { cat "$console" "$run/qemu-$2.log"; die "QEMU exited during boot ($2)"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$console"; die "no pocketlb start line within ${BOOT_TIMEOUT:-240}s ($2)"; }
    sleep 0.2
  done
  if grep -q 'rcS: module .* not loaded' "$console"; then grep 'rcS: module' "$console"; die "kernel modules missing ($2)"; fi
  note "$2: pocketlb start line after $(elapsed "${GUEST_T0[$1]}")s: $(grep -m1 'pocketlb .* started' "$console" | tr -d '\r')"
}

# guest_kill <n>: ends guest <n> at once (a power cut).
guest_kill () {
  kill -9 "${GUEST_PIDS[$1]}" 2>/dev/null; wait "${GUEST_PIDS[$1]}" 2>/dev/null || true
  GUEST_PIDS[$1]=''
}

# guest_power_off <n>: asks guest <n> for an orderly stop through the monitor, then ends QEMU.
guest_power_off () {
  printf 'system_powerdown\n' | timeout 2 socat - "UNIX-CONNECT:$run/monitor-$1.sock" >/dev/null 2>&1 || true
  sleep 1
  kill "${GUEST_PIDS[$1]}" 2>/dev/null || true
  wait "${GUEST_PIDS[$1]}" 2>/dev/null || true
  GUEST_PIDS[$1]=''
}
