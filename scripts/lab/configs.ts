/** The configuration files each lab load balancer runs: plain HAProxy and
 *  keepalived text, the same a student would write (and could run on the real ones). */
import { LB_PRIORITY, STATS_PORT, VIP, type LabNode, type LbName, type Topology } from './topology.ts'

/** haproxy.cfg of a lab lb: the VIP on :80 balanced over the webs with HTTP
 *  checks, a stats page on every address :<STATS_PORT>, a runtime socket at <statsSocket>.
 *  In a VM (<vm>) the proxy binds every address's port 80: the image does not let it bind
 *  the VIP before holding it (no ip_nonlocal_bind). */
export function proxyConfig (t: Topology, lb: LabNode, statsSocket: string, vm = false): string {
  const servers = t.webs.map(w => `  server ${w.name} ${w.ports[0]!.addr}:80 check inter 1s fall 2 rise 2`)
  return `# pocketlb lab: ${lb.name}
global
  stats socket ${statsSocket} mode 600 level admin

defaults
  mode http
  log stdout format raw local0
  option httplog
  timeout connect 2s
  timeout client 30s
  timeout server 30s

frontend www
  bind ${vm ? '' : VIP}:80
  option forwardfor
  http-response set-header X-Served-By ${lb.name}
  default_backend webs

backend webs
  balance roundrobin
  option httpchk GET /health
${servers.join('\n')}

listen stats
  bind :${STATS_PORT}
  stats enable
  stats uri /stats
  stats refresh 2s
`
}

/** keepalived.conf of a lab lb: one VRRPv3 instance on the LAN side holding the
 *  VIP, tracking its own proxy through the stats page (a dead proxy gives the VIP up).
 *  In the image (<vm>) VRRP runs inside the proxy's process (`--vrrp`): the proxy
 *  cannot die alone, so there is no script to track. */
export function vrrpConfig (lb: LabNode, advertSeconds: number, vm = false): string {
  const track = vm
    ? ''
    : `
vrrp_script chk_proxy {
  script "curl -sf -o /dev/null -m 1 http://127.0.0.1:${STATS_PORT}/stats"
  interval 1
  fall 2
  rise 2
}
`
  return `# pocketlb lab: ${lb.name}
global_defs {
  router_id ${lb.name}
  vrrp_version 3
  vrrp_garp_master_delay 1
}
${track}
vrrp_instance VI_LAB {
  state BACKUP
  interface eth0
  virtual_router_id 77
  priority ${LB_PRIORITY[lb.name as LbName]}
  advert_int ${advertSeconds}
  virtual_ipaddress {
    ${VIP}/24
  }${vm ? '' : `
  track_script {
    chk_proxy
  }`}
}
`
}
