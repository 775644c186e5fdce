/** Compiles keepalived's `virtual_server` and `virtual_server_group` sections into
 *  VirtualServerPlans for the kernel path (l4/). What nftables cannot express is
 *  refused here, at `-c` time, with the reason and file:line. */
import type { L4Algo, L4Endpoint, L4QuorumPlan, RealServerPlan, VirtualServerPlan } from '../../l4/plan.ts'
import type { KaStatement } from './parse.ts'
import { boolArg, compileRealServer, readCheckerDefault, scriptArg, type CheckerDefaults } from './real-server.ts'
import { alert, at, intArg, isIpv4, oneArg, secondsArg, warn, type Diag } from './values.ts'

const ALGOS: Readonly<Record<string, L4Algo>> = { rr: 'rr', wrr: 'wrr', sh: 'sh', mh: 'mh' }

/** Schedulers of LVS that need per-server connection counts or other state the
 *  kernel's nftables cannot read when it chooses a destination. */
const REFUSED_ALGOS: Readonly<Record<string, string>> = {
  lc: 'least-connection scheduling needs the number of active connections per real server, which nftables cannot read when it picks a destination; use wrr (or a HAProxy backend with balance leastconn)',
  wlc: 'weighted least-connection scheduling needs the number of active connections per real server, which nftables cannot read when it picks a destination; use wrr (or a HAProxy backend with balance leastconn)',
  sed: 'shortest expected delay needs active connection counts, which nftables cannot read; use wrr',
  nq: 'never-queue needs active connection counts, which nftables cannot read; use wrr',
  lblc: 'locality-based least-connection needs connection counts, which nftables cannot read; use sh',
  lblcr: 'locality-based least-connection with replication needs connection counts, which nftables cannot read; use sh',
  ovf: 'overflow scheduling needs active connection counts, which nftables cannot read; use wrr',
  dh: 'destination hashing sends every flow of one VIP to one server; use sh',
  fo: 'weighted failover is not implemented; use wrr with a sorry_server'
}

const KEEPALIVED_DEFAULTS: CheckerDefaults = { delayLoop: 60_000, connectTimeout: 5000, retry: null, delayBeforeRetry: 1000, alpha: false }
/** keepalived's persistence_timeout without a value: 6 minutes */
const DEFAULT_PERSISTENCE = 360_000

const safe = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '_')

function endpoint (d: Diag, s: KaStatement, addr: string | undefined, port: string | undefined, what: string): L4Endpoint | null {
  if (!addr || !isIpv4(addr)) { alert(d, s, `${what}: '${addr ?? ''}' is not a valid IPv4 address (IPv6 and fwmark services are not supported)`); return null }
  if (!port || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) { alert(d, s, `${what} ${addr}: a port 1-65535 is required`); return null }
  return { addr, port: Number(port) }
}

/** `virtual_server_group NAME { <ip> <port> | <ip>-<last octet> <port> }` */
function compileGroup (d: Diag, s: KaStatement): L4Endpoint[] | null {
  const out: L4Endpoint[] = []
  for (const line of s.block ?? []) {
    if (line.kw === 'fwmark') { alert(d, line, 'fwmark entries are not supported'); continue }
    const range = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(line.kw)
    if (range) {
      const first = Number(range[2]); const last = Number(range[3])
      if (last < first || last > 255) { alert(d, line, `bad address range '${line.kw}'`); continue }
      for (let i = first; i <= last; i++) { const e = endpoint(d, line, `${range[1]}${i}`, line.args[0], 'virtual_server_group'); if (e) out.push(e) }
      continue
    }
    const e = endpoint(d, line, line.kw, line.args[0], 'virtual_server_group')
    if (e) out.push(e)
  }
  if (!out.length) { alert(d, s, `virtual_server_group ${s.args[0] ?? ''} has no address`); return null }
  return out
}

/** lb_kind DR sends the client's packet on unchanged: its destination port is
 *  the VIP's, so every real server (and the sorry server) must listen on it. */
function checkDrPorts (d: Diag, s: KaStatement, addresses: readonly L4Endpoint[], realServers: readonly RealServerPlan[], sorry: { ep: L4Endpoint, at: KaStatement } | null): void {
  const ports = new Set(addresses.map(a => a.port))
  const why = 'lb_kind DR forwards the packet unchanged (only its destination MAC is the real server\'s), so it cannot rewrite the port; use lb_kind NAT to change ports'
  if (ports.size > 1) { alert(d, s, `lb_kind DR: the group's addresses use several ports (${[...ports].join(', ')}) and a real server has one: ${why}`); return }
  const [port] = ports
  for (const r of realServers) if (r.port !== port) alert(d, r.where, `real_server ${r.addr} ${r.port}: port differs from the virtual server's ${port ?? ''}: ${why}`)
  if (sorry && sorry.ep.port !== port) alert(d, sorry.at, `sorry_server ${sorry.ep.addr} ${sorry.ep.port}: port differs from the virtual server's ${port ?? ''}: ${why}`)
}

/** keepalived's own corrections at load: a quorum above the total weight of the real
 *  servers could never be gained, a hysteresis of quorum or more could never be lost. */
function checkQuorum (d: Diag, s: KaStatement, name: string, q: L4QuorumPlan, realServers: readonly RealServerPlan[]): L4QuorumPlan {
  const total = realServers.reduce((sum, r) => sum + r.weight, 0)
  let { quorum, hysteresis } = q
  if (quorum > total && realServers.length) {
    warn(d, s, `quorum ${quorum} for ${name} exceeds total weight of real servers ${total}, reducing quorum to ${Math.max(total, 1)}`)
    quorum = Math.max(total, 1)
  }
  if (hysteresis >= quorum) {
    warn(d, s, `virtual server ${name}: hysteresis ${hysteresis} >= quorum ${quorum}; setting hysteresis to ${quorum - 1}`)
    hysteresis = quorum - 1
  }
  return { ...q, quorum, hysteresis }
}

function compileService (d: Diag, s: KaStatement, groups: ReadonlyMap<string, L4Endpoint[]>): VirtualServerPlan | null {
  let addresses: L4Endpoint[]; let name: string; let key: string
  if (s.args[0] === 'group') {
    const g = s.args[1] ?? ''
    const members = groups.get(g)
    if (!members) { alert(d, s, `virtual_server group '${g}': no virtual_server_group of that name`); return null }
    addresses = members; name = `group ${g}`; key = `g_${safe(g)}`
  } else if (s.args[0] === 'fwmark') {
    alert(d, s, 'virtual_server fwmark is not supported: give the address and port'); return null
  } else {
    const e = endpoint(d, s, s.args[0], s.args[1], 'virtual_server')
    if (!e) return null
    addresses = [e]; name = `${e.addr}:${e.port}`; key = `v_${safe(name)}`
  }
  let def = KEEPALIVED_DEFAULTS
  let algo: L4Algo | null = null; let protocol: 'tcp' | 'udp' = 'tcp'; let kind: VirtualServerPlan['kind'] = 'NAT'
  let persistenceTimeout = 0; let sorryServer: L4Endpoint | null = null; let sorryAt: KaStatement | null = null
  const rsStmts: KaStatement[] = []
  let quorum = 1; let hysteresis = 0; let quorumUp: string | null = null; let quorumDown: string | null = null; let omega = false
  let quorumAt: KaStatement | null = null; let haSuspend = false
  const before = d.alerts.length
  for (const st of s.block ?? []) {
    const next = readCheckerDefault(d, st, def)
    if (next !== null) { def = next; continue }
    switch (st.kw) {
      case 'lb_algo': case 'lvs_sched': {
        const v = oneArg(d, st)
        if (v === null) break
        const refused = REFUSED_ALGOS[v]
        if (ALGOS[v]) algo = ALGOS[v]!
        else if (refused) alert(d, st, `lb_algo ${v} refused: ${refused}`)
        else alert(d, st, `unknown lb_algo '${v}' (supported: rr, wrr, sh, mh)`)
        break
      }
      case 'lb_kind': case 'lvs_method': {
        const v = oneArg(d, st)
        if (v === 'NAT' || v === 'DR') kind = v
        else if (v === 'TUN') alert(d, st, 'lb_kind TUN refused: IP-in-IP tunnelling to the real servers is not programmed; use lb_kind NAT')
        else if (v !== null) alert(d, st, `unknown lb_kind '${v}' (supported: NAT, DR)`)
        break
      }
      case 'protocol': {
        const v = oneArg(d, st)
        if (v === 'TCP' || v === 'UDP') protocol = v === 'TCP' ? 'tcp' : 'udp'
        else if (v !== null) alert(d, st, `protocol '${v}' is not supported (TCP or UDP)`)
        break
      }
      case 'persistence_timeout':
        persistenceTimeout = st.args.length ? secondsArg(d, st, 1000, 2_678_400_000) ?? 0 : DEFAULT_PERSISTENCE
        break
      case 'persistence_granularity':
        if (st.args[0] !== '255.255.255.255') alert(d, st, 'persistence_granularity is not supported: persistence is per source address')
        break
      case 'sorry_server': sorryServer = endpoint(d, st, st.args[0], st.args[1], 'sorry_server'); sorryAt = st; break
      case 'real_server': rsStmts.push(st); break
      case 'quorum': quorum = intArg(d, st, 1, 65535) ?? quorum; quorumAt = st; break
      case 'hysteresis': hysteresis = intArg(d, st, 0, 65535) ?? hysteresis; break
      case 'quorum_up': quorumUp = scriptArg(d, st); break
      case 'quorum_down': quorumDown = scriptArg(d, st); break
      case 'omega': omega = boolArg(d, st) ?? omega; break
      case 'ha_suspend': haSuspend = true; break
      case 'sorry_server_inhibit': warn(d, st, 'sorry_server_inhibit ignored: the sorry server is added and removed, never kept at weight 0'); break
      case 'virtualhost': warn(d, st, 'virtualhost ignored: the Host header of HTTP_GET is the checked address'); break
      case 'smtp_alert': warn(d, st, 'smtp_alert ignored: pocketlb sends no mail; use quorum_up/quorum_down'); break
      case 'warmup': warn(d, st, 'warmup ignored: the first checks are not delayed at random'); break
      case 'ops': warn(d, st, 'ops ignored: UDP flows are kept by conntrack, not scheduled one packet at a time'); break
      case 'one_packet_scheduling': warn(d, st, 'one_packet_scheduling ignored: UDP flows are kept by conntrack, not scheduled one packet at a time'); break
      case 'vs_name': warn(d, st, 'vs_name ignored: logs and show l4 name services by address and port'); break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  if (algo === null && d.alerts.length === before) {
    warn(d, s, `${name}: no lb_algo; keepalived's default (wlc) cannot be expressed in nftables, using wrr`)
    algo = 'wrr'
  }
  const realServers: RealServerPlan[] = []
  for (const st of rsStmts) { const r = compileRealServer(d, st, def); if (r) realServers.push(r) }
  const seen = new Map<string, RealServerPlan>()
  for (const r of realServers) {
    const k = `${r.addr}:${r.port}`
    const first = seen.get(k)
    if (first) alert(d, r.where, `real_server ${k} listed twice in ${name} (first at ${at(first.where)})`)
    seen.set(k, r)
  }
  const quorumPlan = checkQuorum(d, quorumAt ?? s, name, { quorum, hysteresis, up: quorumUp, down: quorumDown }, realServers)
  if (kind === 'DR') checkDrPorts(d, s, addresses, realServers, sorryServer && sorryAt && { ep: sorryServer, at: sorryAt })
  if (d.alerts.length > before) return null
  return {
    name, key: `${key}_${protocol}`, addresses, protocol, algo: algo!, kind, delayLoop: def.delayLoop,
    persistenceTimeout, sorryServer, realServers, quorum: quorumPlan, omega, haSuspend, where: s.where
  }
}

/** All virtual services of <stmts> (top-level statements); groups may be declared after use. */
export function compileVirtualServers (d: Diag, stmts: readonly KaStatement[]): VirtualServerPlan[] {
  const groups = new Map<string, L4Endpoint[]>()
  for (const s of stmts) {
    if (s.kw !== 'virtual_server_group') continue
    const g = s.args[0]
    if (!g) { alert(d, s, 'virtual_server_group requires a name'); continue }
    if (groups.has(g)) { alert(d, s, `virtual_server_group ${g} defined twice`); continue }
    const members = compileGroup(d, s)
    if (members) groups.set(g, members)
  }
  const out: VirtualServerPlan[] = []
  const owners = new Map<string, VirtualServerPlan>()
  for (const s of stmts) {
    if (s.kw !== 'virtual_server') continue
    const vs = compileService(d, s, groups)
    if (!vs) continue
    for (const a of vs.addresses) {
      const k = `${a.addr}:${a.port}/${vs.protocol}`
      const other = owners.get(k)
      if (other) alert(d, s, `${k} is already served by virtual_server ${other.name} (${at(other.where)})`)
      owners.set(k, vs)
    }
    out.push(vs)
  }
  return out
}
