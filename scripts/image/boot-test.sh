#!/bin/bash
# `npm run image:test`: boots image/out/qemu-virt.img under
#   qemu-system-aarch64 -M virt -cpu cortex-a53 -m 256
# with two virtio NICs on QEMU user-mode networks restricted to the host's loopback
# (restrict=on: nothing leaves the machine). Port 1 (LAN, 192.168.1.0/24) reaches two
# HTTP backends on the host at 192.168.1.10 and .11 (the factory config's servers); port 2
# (PC, 10.42.0.0/24) carries the web UI (10.42.0.1:80, forwarded to a host port). Checks: boot
# to serving, requests through the LAN port balanced over both backends, the UI's first start
# with the console's setup token, a config applied through the UI with QEMU killed at once
# (the next boot finds the old or the new file whole, and serves), /data and the store kept
# across reboots. Prints timings and the guest's free memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
out="$repo/image/out"
img="$out/qemu-virt.img"
[ -f "$img" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ] || die "no image: run npm run image first"
need_debs qemu-system-arm curl socat

run="$(mktemp -d /tmp/plb-image-test.XXXXXX)"
backends_pid=''; qemu_pid=''
cleanup () {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  [ -n "$backends_pid" ] && kill "$backends_pid" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT
cp --sparse=always "$img" "$run/disk.img"

stage "backends web1 and web2 on the host's loopback"
node "$here/backends.mjs" web1 web2 > "$run/backends.txt" & backends_pid=$!
for _ in $(seq 50); do [ "$(wc -l < "$run/backends.txt")" = 2 ] && break; sleep 0.1; done
port1=$(awk '$1 == "web1" { print $2 }' "$run/backends.txt"); port2=$(awk '$1 == "web2" { print $2 }' "$run/backends.txt")
note "web1 127.0.0.1:$port1, web2 127.0.0.1:$port2"
lan_port=$(( 20000 + RANDOM % 30000 ))
ui_port=$(( lan_port + 1 ))
ui="http://127.0.0.1:$ui_port"
jar="$run/cookies"
# json <field> reads one field of the JSON document on stdin
json () { node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{const v=JSON.parse(t)[process.argv[1]];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }

# boot <name>: starts QEMU, waits for pocketlb's start line on the serial console.
boot () {
  local console="$run/console-$1.log"
  : > "$console"
  local lan="user,id=lan,restrict=on,net=192.168.1.0/24,host=192.168.1.1,hostfwd=tcp:127.0.0.1:$lan_port-192.168.1.2:80"
  lan="$lan,guestfwd=tcp:192.168.1.10:80-cmd:node $here/relay.mjs 127.0.0.1 $port1"
  lan="$lan,guestfwd=tcp:192.168.1.11:80-cmd:node $here/relay.mjs 127.0.0.1 $port2"
  local t0; t0=$(date +%s.%N)
  nice -n 10 qemu-system-aarch64 -M virt -cpu cortex-a53 -m 256 -smp 1 -nographic -no-reboot \
    -kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
    -append "console=ttyAMA0 root=/dev/vda1 data=/dev/vda2 quiet panic=-1" \
    -drive "file=$run/disk.img,format=raw,if=none,id=disk" -device virtio-blk-pci,drive=disk \
    -netdev "$lan" -device virtio-net-pci,netdev=lan,mac=52:54:00:00:01:01 \
    -netdev "user,id=pc,restrict=on,net=10.42.0.0/24,host=10.42.0.2,hostfwd=tcp:127.0.0.1:$ui_port-10.42.0.1:80" -device virtio-net-pci,netdev=pc,mac=52:54:00:00:02:01 \
    -monitor "unix:$run/monitor.sock,server,nowait" -serial "file:$console" -display none > "$run/qemu-$1.log" 2>&1 &
  qemu_pid=$!
  local deadline=$(( $(date +%s) + ${BOOT_TIMEOUT:-240} ))
  until grep -q 'pocketlb .* started' "$console"; do
    kill -0 "$qemu_pid" 2>/dev/null || { cat "$console" "$run/qemu-$1.log"; die "QEMU exited during boot"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$console"; die "no pocketlb start line within ${BOOT_TIMEOUT:-240}s"; }
    sleep 0.2
  done
  note "pocketlb start line after $(elapsed "$t0")s: $(grep -m1 'pocketlb .* started' "$console" | tr -d '\r')"
  BOOT_T0=$t0
}

# wait_ui: until the UI answers its public state (the worker starts after the proxy).
wait_ui () {
  local deadline=$(( $(date +%s) + 90 ))
  until curl -sf -m 5 "$ui/api/auth/state" > "$run/state.json"; do
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$run/console-$1.log"; die "the web UI did not answer on port 2"; }
    sleep 0.5
  done
}

# power_off: asks for an orderly stop through the monitor, then ends QEMU.
power_off () {
  printf 'system_powerdown\n' | timeout 2 socat - "UNIX-CONNECT:$run/monitor.sock" >/dev/null 2>&1 || true
  sleep 1
  kill "$qemu_pid" 2>/dev/null || true
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=''
}

stage "first boot (seeds /data)"
boot first
grep -q 'seeded /data/pocketlb.cfg' "$run/console-first.log" || die "first boot did not seed /data"

stage "requests through port 1 (LAN) balanced over the backends"
seen=''
deadline=$(( $(date +%s) + 60 ))
first_ok=''
while [ "$(date +%s)" -lt "$deadline" ]; do
  body=$(curl -s -m 5 "http://127.0.0.1:$lan_port/" || true)
  case "$body" in web1|web2)
    [ -n "$first_ok" ] || { first_ok=$(elapsed "$BOOT_T0"); note "first proxied request answered $first_ok s after QEMU started"; }
    case " $seen " in *" $body "*) ;; *) seen="$seen $body" ;; esac ;;
  esac
  [ "$(echo $seen | wc -w)" = 2 ] && break
  sleep 0.3
done
[ "$(echo $seen | wc -w)" = 2 ] || { tail -30 "$run/console-first.log"; die "expected answers from web1 and web2, saw:$seen"; }
note "answers from:$seen"
note "guest: $(grep -m1 'rcS: memory' "$run/console-first.log" | tr -d '\r')"

stage "web UI on port 2 (PC): first start with the console's setup token, login"
wait_ui first
[ "$(json setupRequired < "$run/state.json")" = true ] || die "a fresh device must ask for the admin password"
token=$(grep -o 'setup token [A-Za-z0-9_-]*' "$run/console-first.log" | head -1 | awk '{print $3}')
[ -n "$token" ] || die "no setup token on the console"
curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d "{\"token\":\"$token\",\"password\":\"pocket-lab-1\"}" "$ui/api/auth/setup" > /dev/null || die "setup refused"
curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" > "$run/login.json" || die "login refused"
csrf=$(json csrf < "$run/login.json")
note "admin password set with the console's token, logged in"

stage "config applied through the UI, QEMU killed right after"
curl -sf -m 10 -b "$jar" "$ui/api/config" | json text > "$run/old.cfg"
{ cat "$run/old.cfg"; printf '\n# changed through the UI by image:test\n'; } > "$run/new.cfg"
body=$(node -e 'process.stdout.write(JSON.stringify({text:require("fs").readFileSync(process.argv[1],"utf8"),comment:"image:test"}))' "$run/new.cfg")
curl -s -m 20 -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' -d "$body" "$ui/api/config/apply" > "$run/apply.json" &
sleep 0.3
kill -9 "$qemu_pid"; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=''
note "QEMU killed 0.3 s into the apply"

stage "second boot: /data, the store and a whole config kept"
boot second
if grep -q 'seeded /data' "$run/console-second.log"; then die "/data was seeded again: it did not survive the reboot"; fi
wait_ui second
[ "$(json setupRequired < "$run/state.json")" = false ] || die "the admin account did not survive the reboot"
curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" > /dev/null || die "login refused after reboot"
curl -sf -m 10 -b "$jar" "$ui/api/config" | json text > "$run/now.cfg"
if cmp -s "$run/now.cfg" "$run/new.cfg"; then note "the applied config is whole after the kill"
elif cmp -s "$run/now.cfg" "$run/old.cfg"; then note "the old config is whole after the kill (the apply had not reached the disk)"
else die "the config is neither the old nor the new one after the kill"; fi
grep -q 'factory defaults' "$run/console-second.log" && die "the device fell back to the factory config"
body=$(curl -s -m 5 "http://127.0.0.1:$lan_port/" || true)
case "$body" in web1|web2) note "serving after the reboot ($body)" ;; *) die "not serving after the reboot" ;; esac
power_off
stage_end
echo "image:test passed in $(elapsed "$IMAGE_T0")s"
