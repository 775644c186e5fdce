/** keepalived configuration → frozen VrrpPlan. Entry point: loadKeepalivedFiles().
 *  Sections owned by other modules (virtual_server, static_ipaddress, ...) are
 *  skipped here; `pocketlb -c` reports unknown top-level keywords. */
import { hostname } from 'node:os'
import { VRRP_DEFAULT_NICE, type GarpPlan, type NotifyPlan, type VrrpGlobals, type VrrpInstancePlan, type VrrpPlan, type VrrpScriptPlan, type VrrpSyncGroupPlan } from '../../vrrp/types.ts'
import { parseKeepalived, parseKeepalivedText, type KaStatement } from './parse.ts'
import { compileInstance } from './instance.ts'
import { compileVirtualServers } from './virtual-server.ts'
import { alert, commandArg, intArg, oneArg, secondsArg, warn, type Diag } from './values.ts'

export type KeepalivedLoad =
  | { ok: true; plan: VrrpPlan; warnings: string[] }
  | { ok: false; alerts: string[]; warnings: string[] }

/** Top-level sections compiled elsewhere (virtual_server: virtual-server.ts) or not applicable. */
const OTHER_SECTIONS = new Set(['virtual_server', 'virtual_server_group', 'static_ipaddress', 'static_routes', 'static_rules', 'linkbeat_interfaces', 'net_namespace', 'instance'])

/** global_defs keywords with no effect on VRRP here (mail, SNMP, D-Bus, tuning of keepalived itself). */
const GLOBAL_IGNORED = new Set(['notification_email', 'notification_email_from', 'smtp_server', 'smtp_connect_timeout',
  'enable_script_security', 'max_auto_priority', 'vrrp_skip_check_adv_addr', 'vrrp_garp_interval', 'vrrp_gna_interval',
  'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_dbus', 'vrrp_no_swap', 'checker_no_swap',
  'checker_priority', 'lvs_id', 'dynamic_interfaces', 'vrrp_check_unicast_src', 'vrrp_mcast_group4', 'script_security'])

const DEFAULT_GARP: GarpPlan = { masterDelay: 5000, masterRepeat: 5, masterRefresh: 0, masterRefreshRepeat: 1 }

function compileGlobals (d: Diag, stmts: readonly KaStatement[]): VrrpGlobals {
  const garp = { ...DEFAULT_GARP }
  let routerId = hostname(); let version: 2 | 3 = 2; let scriptUser: string | null = null; let niceness = VRRP_DEFAULT_NICE
  for (const s of stmts) {
    switch (s.kw) {
      case 'router_id': routerId = oneArg(d, s) ?? routerId; break
      case 'vrrp_version': { const v = intArg(d, s, 2, 3); if (v !== null) version = v as 2 | 3; break }
      case 'script_user': scriptUser = oneArg(d, s); break
      case 'vrrp_priority': niceness = intArg(d, s, -20, 19) ?? niceness; break
      case 'vrrp_garp_master_delay': garp.masterDelay = secondsArg(d, s, 0, 1000_000) ?? garp.masterDelay; break
      case 'vrrp_garp_master_repeat': garp.masterRepeat = intArg(d, s, 0, 255) ?? garp.masterRepeat; break
      case 'vrrp_garp_master_refresh': garp.masterRefresh = secondsArg(d, s, 0, 1000_000) ?? garp.masterRefresh; break
      case 'vrrp_garp_master_refresh_repeat': garp.masterRefreshRepeat = intArg(d, s, 0, 255) ?? garp.masterRefreshRepeat; break
      case 'vrrp_strict': warn(d, s, 'vrrp_strict ignored: pocketlb always follows rfc5798 validation'); break
      default:
        if (!GLOBAL_IGNORED.has(s.kw)) alert(d, s, `Unknown keyword '${s.kw}'`)
    }
  }
  return { routerId, version, scriptUser, niceness, garp }
}

function compileScript (d: Diag, s: KaStatement): VrrpScriptPlan | null {
  const name = s.args[0]
  if (!name) { alert(d, s, 'vrrp_script requires a name'); return null }
  let script: string | null = null; let interval = 1000; let timeout = 0; let weight = 0; let rise = 1; let fall = 1
  const before = d.alerts.length
  for (const st of s.block ?? []) {
    switch (st.kw) {
      case 'script': script = commandArg(d, st); break
      case 'interval': interval = secondsArg(d, st, 10, 3600_000) ?? interval; break
      case 'timeout': timeout = secondsArg(d, st, 10, 3600_000) ?? timeout; break
      case 'weight': weight = intArg(d, st, -253, 253) ?? weight; break
      case 'rise': rise = intArg(d, st, 1, 1000) ?? rise; break
      case 'fall': fall = intArg(d, st, 1, 1000) ?? fall; break
      case 'user': case 'init_fail': break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  if (script === null) alert(d, s, `(${name}) script is required`)
  if (d.alerts.length > before) return null
  return Object.freeze({ name, script: script!, interval, timeout: timeout || interval, weight, rise, fall, where: s.where })
}

function compileSyncGroup (d: Diag, s: KaStatement): VrrpSyncGroupPlan | null {
  const name = s.args[0]
  if (!name) { alert(d, s, 'vrrp_sync_group requires a name'); return null }
  const members: string[] = []
  const notify: { -readonly [K in keyof NotifyPlan]: NotifyPlan[K] } = { master: null, backup: null, fault: null, stop: null, any: null }
  for (const st of s.block ?? []) {
    switch (st.kw) {
      case 'group': for (const l of st.block ?? []) members.push(l.kw, ...l.args); break
      case 'notify_master': notify.master = commandArg(d, st); break
      case 'notify_backup': notify.backup = commandArg(d, st); break
      case 'notify_fault': notify.fault = commandArg(d, st); break
      case 'notify_stop': notify.stop = commandArg(d, st); break
      case 'notify': notify.any = commandArg(d, st); break
      case 'smtp_alert': break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  return Object.freeze({ name, members, notify, where: s.where })
}

/** Cross-section checks: unique names and VRIDs, known scripts and sync-group members. */
function crossCheck (d: Diag, instances: readonly VrrpInstancePlan[], scripts: readonly VrrpScriptPlan[], groups: readonly VrrpSyncGroupPlan[]): void {
  const names = new Map<string, VrrpInstancePlan>()
  const vrids = new Map<string, VrrpInstancePlan>()
  for (const i of instances) {
    if (names.has(i.name)) alert(d, i.where, `vrrp_instance ${i.name} defined twice (first at ${names.get(i.name)!.where.file}:${names.get(i.name)!.where.line})`)
    names.set(i.name, i)
    const key = `${i.interface}/${i.vrid}/${i.version}`
    const other = vrids.get(key)
    if (other) alert(d, i.where, `(${i.name}) VRID ${i.vrid} is already used by ${other.name} on ${i.interface}`)
    vrids.set(key, i)
    for (const t of i.trackScripts) {
      if (!scripts.some(s => s.name === t.name)) alert(d, i.where, `(${i.name}) track_script ${t.name} not found`)
    }
  }
  for (const g of groups) {
    for (const m of g.members) if (!names.has(m)) alert(d, g.where, `vrrp_sync_group ${g.name}: instance ${m} not found`)
  }
}

/** keepalived 2.2: in a sync group, tracking weights are ignored (a failure means
 *  Fault for the whole group), so a member's weighted tracks become weight 0. */
function syncGroupTracks (d: Diag, i: VrrpInstancePlan, groups: readonly VrrpSyncGroupPlan[], scripts: readonly VrrpScriptPlan[]): VrrpInstancePlan {
  if (!groups.some(g => g.members.includes(i.name))) return i
  const w = i.where
  const ifs = i.trackInterfaces.map(t => {
    if (!t.weight) return t
    d.warnings.push(`${w.file}:${w.line}: (${i.name}) ignoring ${t.name} tracked interface weight due to SYNC group`)
    return { name: t.name, weight: 0 }
  })
  const scr = i.trackScripts.map(t => {
    if (!(t.weight ?? scripts.find(s => s.name === t.name)?.weight)) return t
    d.warnings.push(`${w.file}:${w.line}: (${i.name}) ignoring tracked script ${t.name} with weights due to SYNC group`)
    return { name: t.name, weight: 0 }
  })
  return Object.freeze({ ...i, trackInterfaces: ifs, trackScripts: scr })
}

export function compileKeepalived (stmts: readonly KaStatement[], files: readonly string[], d: Diag): VrrpPlan | null {
  let globals: VrrpGlobals | null = null
  const globalStmts = stmts.filter(s => s.kw === 'global_defs')
  globals = compileGlobals(d, globalStmts.flatMap(s => s.block ?? []))
  const scripts: VrrpScriptPlan[] = []
  const instances: VrrpInstancePlan[] = []
  const groups: VrrpSyncGroupPlan[] = []
  for (const s of stmts) {
    switch (s.kw) {
      case 'global_defs': break
      case 'vrrp_script': { const x = compileScript(d, s); if (x) scripts.push(x); break }
      case 'vrrp_instance': { const x = compileInstance(d, s, { version: globals.version, garp: globals.garp }); if (x) instances.push(x); break }
      case 'vrrp_sync_group': { const x = compileSyncGroup(d, s); if (x) groups.push(x); break }
      default:
        if (!OTHER_SECTIONS.has(s.kw)) alert(d, s, `Unknown keyword '${s.kw}'`)
    }
  }
  crossCheck(d, instances, scripts, groups)
  const virtualServers = compileVirtualServers(d, stmts)
  if (d.alerts.length) return null
  return Object.freeze({ globals, scripts, instances: instances.map(i => syncGroupTracks(d, i, groups, scripts)), syncGroups: groups, files, virtualServers })
}

function finish (stmts: KaStatement[], files: string[], alerts: string[]): KeepalivedLoad {
  const d: Diag = { alerts, warnings: [] }
  const plan = compileKeepalived(stmts, files, d)
  return plan && !alerts.length ? { ok: true, plan, warnings: d.warnings } : { ok: false, alerts: d.alerts, warnings: d.warnings }
}

/** Reads and compiles keepalived configuration files (`-f`, includes expanded). */
export function loadKeepalivedFiles (paths: string[]): KeepalivedLoad {
  const { stmts, files, alerts } = parseKeepalived(paths)
  return finish(stmts, files, alerts)
}

/** Same as loadKeepalivedFiles for text held in memory (the UI's editor, tests). */
export function loadKeepalivedText (text: string, file = 'keepalived.conf'): KeepalivedLoad {
  const { stmts, alerts } = parseKeepalivedText(text, file)
  return finish(stmts, [file], alerts)
}
