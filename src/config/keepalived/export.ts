/** VrrpPlan → keepalived.conf text that keepalived 2.2 accepts and that
 *  compiles back to the same plan (`pocketlb export`, the path out of the pocket).
 *  `track_pocketlb` has no keepalived equivalent and is written as a comment. */
import { trackedBackend, type GarpPlan, type NotifyPlan, type TrackPlan, type VrrpInstancePlan, type VrrpPlan, type VrrpScriptPlan, type VrrpSyncGroupPlan } from '../../vrrp/types.ts'

const secs = (ms: number): string => String(ms / 1000)
const quote = (cmd: string): string => `"${cmd}"`

function notifyLines (n: NotifyPlan, ind: string): string[] {
  const out: string[] = []
  if (n.master) out.push(`${ind}notify_master ${quote(n.master)}`)
  if (n.backup) out.push(`${ind}notify_backup ${quote(n.backup)}`)
  if (n.fault) out.push(`${ind}notify_fault ${quote(n.fault)}`)
  if (n.stop) out.push(`${ind}notify_stop ${quote(n.stop)}`)
  if (n.any) out.push(`${ind}notify ${quote(n.any)}`)
  return out
}

/** A track_pocketlb name as written in the configuration */
function pocketlbTrackText (name: string): string {
  const be = trackedBackend(name)
  return be === null ? name : `backend ${be}`
}

const trackBlock = (kw: string, list: readonly TrackPlan[]): string[] => list.length
  ? [`    ${kw} {`, ...list.map(t => `        ${t.name}${t.weight === null ? '' : ` weight ${t.weight}`}`), '    }']
  : []

function garpLines (g: GarpPlan, base: GarpPlan, ind: string, prefix: string): string[] {
  const out: string[] = []
  if (g.masterDelay !== base.masterDelay) out.push(`${ind}${prefix}garp_master_delay ${secs(g.masterDelay)}`)
  if (g.masterRepeat !== base.masterRepeat) out.push(`${ind}${prefix}garp_master_repeat ${g.masterRepeat}`)
  if (g.masterRefresh !== base.masterRefresh) out.push(`${ind}${prefix}garp_master_refresh ${secs(g.masterRefresh)}`)
  if (g.masterRefreshRepeat !== base.masterRefreshRepeat) out.push(`${ind}${prefix}garp_master_refresh_repeat ${g.masterRefreshRepeat}`)
  return out
}

const KEEPALIVED_GARP: GarpPlan = { masterDelay: 5000, masterRepeat: 5, masterRefresh: 0, masterRefreshRepeat: 1 }

function script (s: VrrpScriptPlan): string[] {
  return [`vrrp_script ${s.name} {`, `    script ${quote(s.script)}`, `    interval ${secs(s.interval)}`,
    `    timeout ${secs(s.timeout)}`, `    weight ${s.weight}`, `    rise ${s.rise}`, `    fall ${s.fall}`, '}', '']
}

function instance (i: VrrpInstancePlan, plan: VrrpPlan): string[] {
  const primaryTracked = i.trackInterfaces.some(t => t.name === i.interface && t.weight === null)
  const extraIfs = i.trackInterfaces.filter(t => !(t.name === i.interface && t.weight === null))
  return [
    `vrrp_instance ${i.name} {`,
    `    state ${i.initialState}`,
    `    interface ${i.interface}`,
    `    virtual_router_id ${i.vrid}`,
    `    priority ${i.priority}`,
    `    advert_int ${secs(i.advertInt)}`,
    ...(i.version !== plan.globals.version ? [`    version ${i.version}`] : []),
    ...(i.preempt ? [] : ['    nopreempt']),
    ...(i.preemptDelay ? [`    preempt_delay ${secs(i.preemptDelay)}`] : []),
    ...(i.unicastSrcIp ? [`    unicast_src_ip ${i.unicastSrcIp}`] : []),
    ...(i.unicastPeers.length ? ['    unicast_peer {', ...i.unicastPeers.map(p => `        ${p}`), '    }'] : []),
    '    virtual_ipaddress {',
    ...i.vips.map(v => `        ${v.addr}/${v.prefixLen}${v.dev !== i.interface ? ` dev ${v.dev}` : ''}${v.label ? ` label ${v.label}` : ''}`),
    '    }',
    ...(primaryTracked ? [] : ['    dont_track_primary']),
    ...trackBlock('track_interface', extraIfs),
    ...trackBlock('track_script', i.trackScripts),
    ...(i.trackPocketlb.length ? [`    # pocketlb only: track_pocketlb { ${i.trackPocketlb.map(t => `${pocketlbTrackText(t.name)}${t.weight === null ? '' : ` weight ${t.weight}`}`).join('; ')} }`] : []),
    ...garpLines(i.garp, plan.globals.garp, '    ', ''),
    ...notifyLines(i.notify, '    '),
    '}', ''
  ]
}

function syncGroup (g: VrrpSyncGroupPlan): string[] {
  return [`vrrp_sync_group ${g.name} {`, '    group {', ...g.members.map(m => `        ${m}`), '    }', ...notifyLines(g.notify, '    '), '}', '']
}

const hasScripts = (p: VrrpPlan): boolean => p.scripts.length > 0 ||
  [...p.instances.map(i => i.notify), ...p.syncGroups.map(g => g.notify)].some(n => n.master ?? n.backup ?? n.fault ?? n.stop ?? n.any)

export function exportKeepalived (plan: VrrpPlan): string {
  const g = plan.globals
  return [
    '# Written by pocketlb export: keepalived configuration equivalent to the running VRRP setup',
    'global_defs {',
    `    router_id ${g.routerId}`,
    `    vrrp_version ${g.version}`,
    // keepalived refuses to run scripts as root without script security
    ...(hasScripts(plan) ? ['    enable_script_security', `    script_user ${g.scriptUser ?? 'root'}`] : g.scriptUser ? [`    script_user ${g.scriptUser}`] : []),
    ...garpLines(g.garp, KEEPALIVED_GARP, '    ', 'vrrp_'),
    ...(g.niceness !== 0 ? [`    vrrp_priority ${g.niceness}`] : []),
    '}', '',
    ...plan.scripts.flatMap(script),
    ...plan.instances.flatMap(i => instance(i, plan)),
    ...plan.syncGroups.flatMap(syncGroup)
  ].join('\n')
}
