#!/bin/bash
# pair-test.sh (the last part of `npm run image:test`): two booted images as a VRRP pair on the
# same LAN bridge, each with its own /data (address .2 or .3, priority 150 or 100, one
# keepalived.conf with the virtual address 192.168.1.100, the proxy bound to every address).
# Checks: the virtual address answers (balanced over web1/web2) from the higher priority device;
# that device's QEMU killed, the other one answers it within a bounded wait. Prints the time
# from the kill to the first answer. Namespaces, TAP devices and guests as in boot-test.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
out="$repo/image/out"
run="$(mktemp -d /tmp/plb-image-pair.XXXXXX)"
. "$here/guests.sh"
guests_preflight
trap 'guests_cleanup; rm -rf "$run"' EXIT
vip=192.168.1.100

stage "namespaces $ns_lan and $ns_pc, web1 and web2 in $ns_lan"
networks

stage "two disks, each /data with its own address, priority and keepalived.conf"
for n in 1 2; do
  cp --sparse=always "$out/qemu-virt.img" "$run/disk-$n.img"
  data="$run/data-$n"; mkdir -p "$data"
  printf 'eth0 192.168.1.%d/24 lan\neth1 10.42.0.%d/24 pc\n' $(( n + 1 )) $(( n * 2 - 1 )) > "$data/network.conf"
  sed 's/^\( *bind \)192\.168\.1\.2:80/\1:80/' "$repo/image/overlay/etc/pocketlb/pocketlb.cfg" > "$data/pocketlb.cfg"
  grep -q '^ *bind :80' "$data/pocketlb.cfg" || die "the factory config has no 'bind 192.168.1.2:80' to widen"
  cat > "$data/keepalived.conf" <<CONF
vrrp_instance lan {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $(( n == 1 ? 150 : 100 ))
  advert_int 1
  virtual_ipaddress {
    $vip/24
  }
}
CONF
  seed_data "$run/disk-$n.img" "$data"
done

stage "both devices booted at once"
guest_start 1 lb1 "$run/disk-1.img"
guest_start 2 lb2 "$run/disk-2.img"
guest_wait_started 1 lb1
guest_wait_started 2 lb2

stage "the virtual address $vip answered by lb1 (priority 150)"
deadline=$(( $(date +%s) + 60 ))
until grep -q '(lan) Entering MASTER STATE' "$run/console-lb1.log" && [ "$(in_lan curl -s -m 2 "http://$vip/" || true)" != '' ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { tail -15 "$run/console-lb1.log" "$run/console-lb2.log"; die "lb1 did not become master with $vip answered"; }
  sleep 0.5
done
for _ in $(seq 10); do in_lan curl -s -m 5 "http://$vip/" || echo failed; done | sort | uniq -c > "$run/spread.txt"
note "10 requests to $vip: $(tr -s ' \n' ' ' < "$run/spread.txt")"
grep -q failed "$run/spread.txt" && die "requests to $vip failed while lb1 was master"
# mac_of_vip: the MAC the LAN resolves the virtual address to (each device answers ARP with its own)
mac_of_vip () { in_lan ip neigh show "$vip" dev br0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
[ "$(mac_of_vip)" = 52:54:00:00:01:01 ] || die "$vip resolves to $(mac_of_vip), not lb1's port 1"
[ "$(wc -l < "$run/spread.txt")" = 2 ] || die "requests to $vip not balanced over web1 and web2"
note "lb2: $(grep -c 'Entering BACKUP STATE' "$run/console-lb2.log") BACKUP transition(s), $(grep -c 'Entering MASTER STATE' "$run/console-lb2.log") MASTER"

stage "lb1 killed: lb2 takes $vip over"
guest_kill 1
t0=$(date +%s.%N)
deadline=$(( $(date +%s) + 30 ))
until body=$(in_lan curl -s -m 1 "http://$vip/" || true); [ "$body" = web1 ] || [ "$body" = web2 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { tail -15 "$run/console-lb2.log"; die "nobody answered $vip within 30 s of lb1's death"; }
  sleep 0.1
done
note "$vip answered again $(elapsed "$t0")s after lb1 was killed (advert_int 1 s)"
grep -q '(lan) Entering MASTER STATE' "$run/console-lb2.log" || die "lb2 answers but never said it became master"
[ "$(mac_of_vip)" = 52:54:00:00:01:02 ] || die "$vip answered, but resolves to $(mac_of_vip), not lb2's port 1"
note "lb2: $(grep -m1 '(lan) Entering MASTER STATE' "$run/console-lb2.log" | tr -d '\r')"
guest_power_off 2
stage_end
echo "image pair test passed in $(elapsed "$IMAGE_T0")s"
