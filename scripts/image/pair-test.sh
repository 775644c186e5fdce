#!/bin/bash
# pair-test.sh (the last part of `npm run image:test`): two booted images as a VRRP pair on the
# same LAN bridge, each with its own /data: address .2 or .3, priority 150 or 100, and one
# keepalived.conf with the virtual address 192.168.1.100 and a kernel (nftables) virtual_server
# on its port 8080; the proxy's frontend bound to the virtual address (the backup binds it too).
# Checks: the virtual address answers from the higher priority device (its MAC), balanced over
# web1/web2 by the proxy (port 80) and by nftables (port 8080); that device's QEMU killed, the
# other one answers both ports within a bounded wait. Prints the time from the kill to the first
# answer. Namespaces, TAP devices and guests as in boot-test.sh (scripts/image/guests.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
. "$here/guests.sh"
guests_begin pair
vip=192.168.1.100

stage "namespaces $ns_lan and $ns_pc, web1 and web2 in $ns_lan"
networks

stage "two disks, each /data with its own address, priority and keepalived.conf"
for n in 1 2; do
  cp --sparse=always "$out/qemu-virt.img" "$run/disk-$n.img"
  data="$run/data-$n"; mkdir -p "$data"
  printf 'eth0 192.168.1.%d/24 lan\neth1 10.42.0.%d/24 pc\n' $(( n + 1 )) $(( n * 2 - 1 )) > "$data/network.conf"
  sed "s/^\( *bind \)192\.168\.1\.2:80/\1$vip:80/" "$repo/image/overlay/etc/pocketlb/pocketlb.cfg" > "$data/pocketlb.cfg"
  grep -q "^ *bind $vip:80" "$data/pocketlb.cfg" || die "the factory config has no 'bind 192.168.1.2:80' to move to $vip"
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
virtual_server $vip 8080 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.168.1.10 80 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 192.168.1.11 80 {
    TCP_CHECK {
      connect_timeout 1
    }
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
# only the master may hold the address: every device that answers ARP for it, for 2 s
holders=$(in_lan busybox arping -c 4 -w 2 -I br0 "$vip" 2>&1 | grep -o '\[[0-9a-f:]*\]' | sort -u | tr -d '[]' | tr '\n' ' ')
note "ARP answers for $vip from: $holders"
[ "$holders" = '52:54:00:00:01:01 ' ] || die "$vip must be held by lb1 alone, ARP answers came from: $holders"
# the LAN's cache follows lb1 by its gratuitous ARPs; a preempted lb2 may still be finishing a
# burst of its own, so give it lb1's second burst (garp_master_delay, 5 s) and a margin
deadline=$(( $(date +%s) + 10 ))
until [ "$(mac_of_vip)" = 52:54:00:00:01:01 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "$vip resolves to $(mac_of_vip), not lb1's port 1"
  sleep 0.5
done
[ "$(wc -l < "$run/spread.txt")" = 2 ] || die "requests to $vip not balanced over web1 and web2"
# l4_spread: 4 requests to the kernel (nftables) virtual service on port 8080, tallied
l4_spread () { for _ in 1 2 3 4; do in_lan curl -s -m 5 "http://$vip:8080/" || echo failed; done | sort | uniq -c | tr -s ' \n' ' '; }
spread=$(l4_spread)
note "4 requests to the kernel L4 service $vip:8080: $spread"
[ "$spread" = ' 2 web1 2 web2 ' ] || die "the nftables virtual service (lb_algo rr) should give 2 and 2"
note "lb2: $(grep -c 'Entering BACKUP STATE' "$run/console-lb2.log") BACKUP transition(s), $(grep -c 'Entering MASTER STATE' "$run/console-lb2.log") MASTER"

stage "lb1 killed: lb2 takes $vip over"
guest_kill 1
t0=$(date +%s.%N)
deadline=$(( $(date +%s) + 30 ))
masters_before=$(grep -c '(lan) Entering MASTER STATE' "$run/console-lb2.log" || true)
became_master=''; resolved=''
until body=$(in_lan curl -s -m 1 "http://$vip/" || true); [ "$body" = web1 ] || [ "$body" = web2 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { tail -15 "$run/console-lb2.log"; die "nobody answered $vip within 30 s of lb1's death"; }
  [ -n "$became_master" ] || [ "$(grep -c '(lan) Entering MASTER STATE' "$run/console-lb2.log" || true)" = "$masters_before" ] || became_master=$(elapsed "$t0")
  [ -n "$resolved" ] || [ "$(mac_of_vip)" != 52:54:00:00:01:02 ] || resolved=$(elapsed "$t0")
  sleep 0.1
done
note "$vip answered again $(elapsed "$t0")s after lb1 was killed (advert_int 1 s)"
note "on the way: lb2's MASTER line at ${became_master:-?}s, the LAN's ARP entry for $vip on lb2's MAC at ${resolved:-?}s (? = with the answer)"
grep -q '(lan) Entering MASTER STATE' "$run/console-lb2.log" || die "lb2 answers but never said it became master"
[ "$(mac_of_vip)" = 52:54:00:00:01:02 ] || die "$vip answered, but resolves to $(mac_of_vip), not lb2's port 1"
note "lb2: $(grep -m1 '(lan) Entering MASTER STATE' "$run/console-lb2.log" | tr -d '\r')"
spread=$(l4_spread)
note "4 requests to $vip:8080 on lb2: $spread"
case "$spread" in *failed*) die "the kernel L4 service did not follow the virtual address to lb2" ;; esac
# lb2 checked web1 and web2 while it was the backup: both are up in its rules from the first flow
[ "$spread" = ' 2 web1 2 web2 ' ] || die "lb2's virtual service (lb_algo rr) should give 2 and 2 at once: were its checks not up?"
guest_power_off 2
stage_end
echo "image pair test passed in $(elapsed "$IMAGE_T0")s"
