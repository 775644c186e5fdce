/** Compiles one `vrrp_instance NAME { ... }` block. Keywords are an explicit
 *  table; unknown ones are alerts with file:line (keepalived: "Unknown keyword"). */
import { backendTrack, LISTENERS_TRACK, type GarpPlan, type NotifyPlan, type TrackPlan, type VipPlan, type VrrpInstancePlan } from '../../vrrp/types.ts'
import type { KaStatement } from './parse.ts'
import { alert, blockWords, commandArg, intArg, ipv4Arg, isIpv4, oneArg, secondsArg, warn, type Diag } from './values.ts'

/** An instance while its block is read; version and garp defaults come from global_defs. */
interface Draft {
  name: string
  initialState: 'MASTER' | 'BACKUP'
  interface: string | null
  vrid: number | null
  priority: number
  advertIntText: { ms: number; stmt: KaStatement } | null
  version: 2 | 3 | null
  preempt: boolean
  preemptDelay: number
  vipLines: KaStatement[]
  unicastSrcIp: string | null
  unicastPeers: string[]
  trackInterfaces: TrackPlan[]
  trackScripts: TrackPlan[]
  trackPocketlb: TrackPlan[]
  notify: { -readonly [K in keyof NotifyPlan]: NotifyPlan[K] }
  garp: Partial<{ -readonly [K in keyof GarpPlan]: GarpPlan[K] }>
  dontTrackPrimary: boolean
}

type Handler = (d: Diag, s: KaStatement, x: Draft) => void

/** `name [weight N]` lines of track_interface / track_script; with <pocketlb>
 *  (track_pocketlb) the name is `listeners` or `backend <name>` (tracked as
 *  backendTrack(<name>)). */
function tracks (d: Diag, s: KaStatement, pocketlb = false): TrackPlan[] {
  if (!s.block) { alert(d, s, `${s.kw} requires a block { ... }`); return [] }
  const out: TrackPlan[] = []
  for (const line of s.block) {
    let name = line.kw; let rest = line.args
    if (pocketlb && line.kw === 'backend') {
      if (rest[0] === undefined || rest[0] === 'weight') { alert(d, line, 'track_pocketlb: backend requires a backend name'); continue }
      name = backendTrack(rest[0]); rest = rest.slice(1)
    } else if (pocketlb && line.kw !== LISTENERS_TRACK) {
      alert(d, line, `track_pocketlb: unknown condition '${line.kw}', expected '${LISTENERS_TRACK}' or 'backend <name>'`); continue
    }
    let weight: number | null = null
    if (rest[0] === 'weight') {
      const w = rest[1]
      if (w === undefined || !/^-?\d+$/.test(w) || Math.abs(Number(w)) > 253) { alert(d, line, `weight '${w ?? ''}' is invalid - must be between -253 and 253`); continue }
      weight = Number(w)
    } else if (rest.length) { alert(d, line, `unknown option '${rest[0]}' for ${s.kw} ${line.kw}`); continue }
    out.push({ name, weight })
  }
  return out
}

const garpKey = (key: keyof GarpPlan, secs: boolean): Handler => (d, s, x) => {
  const v = secs ? secondsArg(d, s, 0, 1000_000) : intArg(d, s, 0, 255)
  if (v !== null) x.garp[key] = v
}

const ignored: Handler = () => {}

export const instanceKeywords: Readonly<Record<string, Handler>> = {
  state: (d, s, x) => {
    const v = oneArg(d, s)
    if (v === 'MASTER' || v === 'BACKUP') x.initialState = v
    else if (v !== null) alert(d, s, `unknown state '${v}', expected MASTER or BACKUP`)
  },
  interface: (d, s, x) => { x.interface = oneArg(d, s) },
  virtual_router_id: (d, s, x) => { x.vrid = intArg(d, s, 1, 255) },
  priority: (d, s, x) => { x.priority = intArg(d, s, 1, 255) ?? x.priority },
  advert_int: (d, s, x) => {
    const ms = secondsArg(d, s, 10, 255_000)
    if (ms !== null) x.advertIntText = { ms, stmt: s }
  },
  version: (d, s, x) => { const v = intArg(d, s, 2, 3); if (v !== null) x.version = v as 2 | 3 },
  nopreempt: (_d, _s, x) => { x.preempt = false },
  preempt: (_d, _s, x) => { x.preempt = true },
  preempt_delay: (d, s, x) => { x.preemptDelay = secondsArg(d, s, 0, 1000_000) ?? 0 },
  virtual_ipaddress: (d, s, x) => { if (!s.block) alert(d, s, 'virtual_ipaddress requires a block { ... }'); else x.vipLines.push(...s.block) },
  virtual_ipaddress_excluded: (d, s, x) => { if (s.block) x.vipLines.push(...s.block) },
  unicast_src_ip: (d, s, x) => { x.unicastSrcIp = ipv4Arg(d, s, oneArg(d, s)) },
  unicast_peer: (d, s, x) => {
    for (const { word, stmt } of blockWords(d, s)) {
      if (isIpv4(word)) x.unicastPeers.push(word)
      else alert(d, stmt, `unicast_peer: '${word}' is not a valid IPv4 address`)
    }
  },
  track_interface: (d, s, x) => { x.trackInterfaces.push(...tracks(d, s)) },
  track_script: (d, s, x) => { x.trackScripts.push(...tracks(d, s)) },
  track_pocketlb: (d, s, x) => { x.trackPocketlb.push(...tracks(d, s, true)) },
  notify_master: (d, s, x) => { x.notify.master = commandArg(d, s) },
  notify_backup: (d, s, x) => { x.notify.backup = commandArg(d, s) },
  notify_fault: (d, s, x) => { x.notify.fault = commandArg(d, s) },
  notify_stop: (d, s, x) => { x.notify.stop = commandArg(d, s) },
  notify: (d, s, x) => { x.notify.any = commandArg(d, s) },
  garp_master_delay: garpKey('masterDelay', true),
  garp_master_repeat: garpKey('masterRepeat', false),
  garp_master_refresh: garpKey('masterRefresh', true),
  garp_master_refresh_repeat: garpKey('masterRefreshRepeat', false),
  dont_track_primary: (_d, _s, x) => { x.dontTrackPrimary = true },
  authentication: (d, s) => {
    const type = s.block?.find(l => l.kw === 'auth_type')?.args[0]
    if (type && type !== 'NONE') alert(d, s, `authentication type ${type} is not supported (rfc5798 removed authentication); remove the block`)
  },
  use_vmac: (d, s) => { alert(d, s, 'use_vmac is not supported') },
  native_ipv6: (d, s) => { alert(d, s, 'IPv6 instances are not supported') },
  smtp_alert: ignored,
  debug: ignored,
  accept: ignored,
  no_accept: ignored
}

/** `<addr>[/<len>] [dev <dev>] [label <label>] [brd ..] [scope ..]` */
function vip (d: Diag, s: KaStatement, defDev: string): VipPlan | null {
  const [addr, lenText] = s.kw.split('/')
  if (!addr || !isIpv4(addr)) { alert(d, s, `virtual_ipaddress: '${s.kw}' is not a valid IPv4 address`); return null }
  const prefixLen = lenText === undefined ? 32 : Number(lenText)
  if (!/^\d+$/.test(lenText ?? '32') || prefixLen > 32) { alert(d, s, `virtual_ipaddress: bad prefix length in '${s.kw}'`); return null }
  let dev = defDev; let label: string | null = null
  for (let i = 0; i < s.args.length; i += 2) {
    const k = s.args[i]!; const v = s.args[i + 1]
    if (v === undefined) { alert(d, s, `virtual_ipaddress: '${k}' requires a value`); return null }
    if (k === 'dev') dev = v
    else if (k === 'label') label = v
    else if (k === 'brd' || k === 'scope') warn(d, s, `virtual_ipaddress: '${k}' ignored`)
    else { alert(d, s, `virtual_ipaddress: unknown option '${k}'`); return null }
  }
  return { addr, prefixLen, dev, label, where: s.where }
}

export interface InstanceDefaults { readonly version: 2 | 3; readonly garp: GarpPlan }

export function compileInstance (d: Diag, s: KaStatement, def: InstanceDefaults): VrrpInstancePlan | null {
  const name = s.args[0]
  if (!name) { alert(d, s, 'vrrp_instance requires a name'); return null }
  const x: Draft = {
    name, initialState: 'BACKUP', interface: null, vrid: null, priority: 100, advertIntText: null, version: null,
    preempt: true, preemptDelay: 0, vipLines: [], unicastSrcIp: null, unicastPeers: [], trackInterfaces: [],
    trackScripts: [], trackPocketlb: [], notify: { master: null, backup: null, fault: null, stop: null, any: null },
    garp: {}, dontTrackPrimary: false
  }
  const before = d.alerts.length
  for (const st of s.block ?? []) {
    const h = instanceKeywords[st.kw]
    if (h) h(d, st, x)
    else alert(d, st, `Unknown keyword '${st.kw}'`)
  }
  if (x.interface === null) alert(d, s, `(${name}) interface is required`)
  if (x.vrid === null) alert(d, s, `(${name}) the virtual router id must be set`)
  const version = x.version ?? def.version
  let advertInt = x.advertIntText?.ms ?? 1000
  if (x.advertIntText && version === 2 && advertInt % 1000 !== 0) {
    alert(d, x.advertIntText.stmt, `(${name}) advert_int must be a whole number of seconds with VRRP version 2`)
  }
  if (version === 3) {
    if (advertInt > 40_950) alert(d, x.advertIntText!.stmt, `(${name}) advert_int must be at most 40.95 seconds with VRRP version 3`)
    advertInt = Math.max(10, Math.round(advertInt / 10) * 10)
  }
  // keepalived 2.2 clears both for an initial MASTER (with the same warnings)
  if (!x.preempt && x.initialState === 'MASTER') { warn(d, s, `(${name}) Warning - nopreempt will not work with initial state MASTER - clearing`); x.preempt = true }
  if (x.preemptDelay && x.initialState === 'MASTER') { warn(d, s, `(${name}) Warning - preempt delay will not work with initial state MASTER - clearing`); x.preemptDelay = 0 }
  if (x.priority === 255 && x.initialState === 'BACKUP') warn(d, s, `(${name}) priority 255 is the address owner: it starts as MASTER`)
  const dev = x.interface ?? ''
  const vips: VipPlan[] = []
  for (const line of x.vipLines) { const v = vip(d, line, dev); if (v) vips.push(v) }
  if (!vips.length && x.interface !== null) alert(d, s, `(${name}) No VIP specified; at least one is required`)
  if (d.alerts.length > before) return null
  const trackInterfaces = x.dontTrackPrimary || x.trackInterfaces.some(t => t.name === dev)
    ? x.trackInterfaces
    : [{ name: dev, weight: null }, ...x.trackInterfaces]
  return Object.freeze({
    name, initialState: x.initialState, interface: dev, vrid: x.vrid!, priority: x.priority, advertInt, version,
    preempt: x.preempt, preemptDelay: x.preemptDelay, vips, unicastSrcIp: x.unicastSrcIp, unicastPeers: x.unicastPeers,
    trackInterfaces, trackScripts: x.trackScripts, trackPocketlb: x.trackPocketlb, notify: x.notify,
    garp: { ...def.garp, ...x.garp }, where: s.where
  })
}
