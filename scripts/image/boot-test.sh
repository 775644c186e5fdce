#!/bin/bash
# `npm run image:test`: boots image/out/qemu-virt.img under
#   qemu-system-aarch64 -M virt -cpu cortex-a53 -m 256
# with its two virtio NICs on TAP devices, each moved into a network namespace this test makes
# (plb<PID>-lan, plb<PID>-pc) and joined to a bridge there: nothing leaves the machine, and
# everything made is deleted at the end. The LAN namespace holds the factory config's two
# HTTP servers (192.168.1.10 and .11 on its bridge); the PC namespace holds 10.42.0.2, the
# PC plugged into port 2. Checks: boot to serving, requests from the LAN namespace to the
# device (192.168.1.2) balanced over both servers, the web UI on the PC port (10.42.0.1)
# from the PC namespace: first start with the console's setup token, login, a config applied
# with QEMU killed at once (the next boot finds the old or the new file whole, and serves),
# /data and the store kept across reboots, a config applied whole kept across a power cut.
# Prints boot-to-first-proxied-request and the guest's free memory. Then runs pair-test.sh
# (two devices as a VRRP pair) unless SKIP_PAIR is set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
. "$here/guests.sh"
guests_begin test
cp --sparse=always "$out/qemu-virt.img" "$run/disk.img"

stage "namespaces $ns_lan (port 1) and $ns_pc (port 2), a bridge in each; web1 and web2 in $ns_lan"
networks

device=192.168.1.2
ui="http://10.42.0.1"
jar="$run/cookies"
# json <field> reads one field of the JSON document on stdin
json () { node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{const v=JSON.parse(t)[process.argv[1]];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }

# boot <name>: boots the device, waits for pocketlb's start line.
boot () {
  guest_start 1 "$1" "$run/disk.img"
  guest_wait_started 1 "$1"
  BOOT_T0=${GUEST_T0[1]}
}

# wait_ui: until the UI answers its public state (the worker starts after the proxy).
wait_ui () {
  local deadline=$(( $(date +%s) + 90 ))
  until in_pc curl -sf -m 5 "$ui/api/auth/state" > "$run/state.json"; do
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$run/console-$1.log"; die "the web UI did not answer on port 2"; }
    sleep 0.5
  done
}

stage "first boot (seeds /data)"
boot first
grep -q 'seeded /data/pocketlb.cfg' "$run/console-first.log" || die "first boot did not seed /data"

stage "requests from $ns_lan to $device (port 1) balanced over the backends"
seen=''
deadline=$(( $(date +%s) + 60 ))
first_ok=''
while [ "$(date +%s)" -lt "$deadline" ]; do
  body=$(in_lan curl -s -m 5 "http://$device/" || true)
  case "$body" in web1|web2)
    [ -n "$first_ok" ] || { first_ok=$(elapsed "$BOOT_T0"); note "first proxied request answered $first_ok s after QEMU started"; }
    case " $seen " in *" $body "*) ;; *) seen="$seen $body" ;; esac ;;
  esac
  [ "$(echo $seen | wc -w)" = 2 ] && break
  sleep 0.3
done
[ "$(echo $seen | wc -w)" = 2 ] || { tail -30 "$run/console-first.log"; die "expected answers from web1 and web2, saw:$seen"; }
for _ in $(seq 20); do in_lan curl -s -m 5 "http://$device/" || echo failed; done | sort | uniq -c > "$run/spread.txt"
note "20 requests: $(tr -s ' \n' ' ' < "$run/spread.txt")"
for name in web1 web2; do
  n=$(awk -v s="$name" '$2 == s { print $1 }' "$run/spread.txt")
  [ "${n:-0}" -ge 8 ] || die "roundrobin over two servers should give each about 10 of 20, $name got ${n:-0}"
done

stage "DHCP on port 2: a PC in $ns_pc gets an address"
in_pc busybox udhcpc -i br0 -n -q -t 5 -T 2 -s /bin/true > "$run/udhcpc.txt" 2>&1 || { cat "$run/udhcpc.txt"; die "no DHCP lease on the PC port"; }
note "$(grep -m1 -i 'lease of' "$run/udhcpc.txt")"

stage "web UI on port 2 ($ui from $ns_pc): first start with the console's setup token, login"
wait_ui first
[ "$(json setupRequired < "$run/state.json")" = true ] || die "a fresh device must ask for the admin password"
token=$(grep -o 'setup token [A-Za-z0-9_-]*' "$run/console-first.log" | head -1 | awk '{print $3}')
[ -n "$token" ] || die "no setup token on the console"
in_pc curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d "{\"token\":\"$token\",\"password\":\"pocket-lab-1\"}" "$ui/api/auth/setup" > /dev/null || die "setup refused"
in_pc curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" > "$run/login.json" || die "login refused"
csrf=$(json csrf < "$run/login.json")
note "admin password set with the console's token, logged in"

stage "memory left in the 256 MiB guest, serving with the UI running"
deadline=$(( $(date +%s) + 60 ))
until grep -q 'memlog: memory at 30s' "$run/console-first.log"; do
  [ "$(date +%s)" -lt "$deadline" ] || die "no memory line from the guest at 30 s of uptime"
  sleep 0.5
done
note "at boot, before pocketlb: $(grep -m1 'rcS: memory' "$run/console-first.log" | sed 's/.*rcS: memory //' | tr -d '\r')"
note "$(grep -m1 'memlog: memory at 30s' "$run/console-first.log" | sed 's/^.*memlog: //' | tr -d '\r')"

stage "config applied through the UI, QEMU killed right after"
in_pc curl -sf -m 10 -b "$jar" "$ui/api/config" | json text > "$run/old.cfg"
{ cat "$run/old.cfg"; printf '\n# changed through the UI by image:test\n'; } > "$run/new.cfg"
body=$(node -e 'process.stdout.write(JSON.stringify({text:require("fs").readFileSync(process.argv[1],"utf8"),comment:"image:test"}))' "$run/new.cfg")
in_pc curl -s -m 20 -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' -d "$body" "$ui/api/config/apply" > "$run/apply.json" &
sleep 0.3
guest_kill 1
note "QEMU killed 0.3 s into the apply"

stage "second boot: /data, the store and a whole config kept"
boot second
if grep -q 'seeded /data' "$run/console-second.log"; then die "/data was seeded again: it did not survive the reboot"; fi
wait_ui second
[ "$(json setupRequired < "$run/state.json")" = false ] || die "the admin account did not survive the reboot"
in_pc curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" > /dev/null || die "login refused after reboot"
in_pc curl -sf -m 10 -b "$jar" "$ui/api/config" | json text > "$run/now.cfg"
if cmp -s "$run/now.cfg" "$run/new.cfg"; then note "the applied config is whole after the kill"
elif cmp -s "$run/now.cfg" "$run/old.cfg"; then note "the old config is whole after the kill (the apply had not reached the disk)"
else die "the config is neither the old nor the new one after the kill"; fi
grep -q 'factory defaults' "$run/console-second.log" && die "the device fell back to the factory config"
body=$(in_lan curl -s -m 5 "http://$device/" || true)
case "$body" in web1|web2) note "serving after the reboot ($body)" ;; *) die "not serving after the reboot" ;; esac

stage "a config applied whole, then an orderly power-off"
{ cat "$run/now.cfg"; printf '# kept across a reboot (image:test)\n'; } > "$run/kept.cfg"
body=$(node -e 'process.stdout.write(JSON.stringify({text:require("fs").readFileSync(process.argv[1],"utf8"),comment:"image:test reboot"}))' "$run/kept.cfg")
csrf=$(in_pc curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" | json csrf)
in_pc curl -sf -m 30 -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' -d "$body" "$ui/api/config/apply" > "$run/apply2.json" \
  || die "apply failed"
[ "$(json applied < "$run/apply2.json")" = true ] || die "apply refused: $(cat "$run/apply2.json")"
guest_power_off 1

stage "third boot: the applied config is the one in service"
boot third
wait_ui third
in_pc curl -sf -m 10 -c "$jar" -H 'content-type: application/json' -d '{"user":"admin","password":"pocket-lab-1"}' "$ui/api/auth/login" > /dev/null || die "login refused after the power-off"
in_pc curl -sf -m 10 -b "$jar" "$ui/api/config" | json text > "$run/now3.cfg"
cmp -s "$run/now3.cfg" "$run/kept.cfg" || die "the config applied before the power-off is not the one after it"
body=$(in_lan curl -s -m 5 "http://$device/" || true)
case "$body" in web1|web2) note "config kept, serving ($body)" ;; *) die "not serving after the power-off" ;; esac
guest_power_off 1

stage_end
echo "image:test single device passed in $(elapsed "$IMAGE_T0")s"
[ -n "${SKIP_PAIR:-}" ] || bash "$here/pair-test.sh"
