import { h, mount } from './dom.ts'
import { get, post, ApiError } from './api.ts'

interface Instance {
  name: string; state: string; vrid: number; interface: string; vips: string[]; version: number
  basePriority: number; effectivePriority: number; masterIp: string; masterPriority: number; lastTransition: number
  counters: { advertsSent: number; advertsReceived: number; transitions: number }
  failing: string[]
}
/** <reason>: the sentence (rows from before reasons say "priority N"); <code>: '' in those rows */
interface Transition { time: number; instance: string; from: string; to: string; reason: string; code: string }
interface View {
  configured: boolean; simulatedFailure: boolean; simulatedFailureKept: { on: boolean; since: number }
  instances: Instance[]; transitions: Transition[]
}

const cell = (x: string | number, attrs: Record<string, string> = {}): HTMLElement => h('td', attrs, String(x))

function instancesTable (list: Instance[]): HTMLElement {
  return h('table', { id: 'vrrp-instances' },
    h('tr', {}, ['Instance', 'State', 'VRID', 'Interface', 'Priority (base → effective)', 'Master', 'VIPs', 'Adverts sent / received', 'Failing tracks'].map(t => h('th', {}, t))),
    list.map(i => h('tr', { 'data-instance': i.name },
      cell(i.name), h('td', {}, h('span', { class: `state ${i.state}`, id: `vrrp-state-${i.name}` }, i.state)), cell(i.vrid), cell(i.interface),
      cell(`${i.basePriority} → ${i.effectivePriority}`, { class: 'prio' }),
      cell(i.masterIp === '' ? '?' : `${i.masterIp} (priority ${i.masterPriority})`), cell(i.vips.join(' ')),
      cell(`${i.counters.advertsSent} / ${i.counters.advertsReceived}`),
      cell(i.failing.length === 0 ? '—' : i.failing.join(', '), { class: i.failing.length === 0 ? 'mute' : 'err' }))))
}

/** Newest first: one row per transition, the state it entered as a coloured badge, then why. */
function timeline (list: Transition[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'mute', id: 'vrrp-timeline' }, 'No transition recorded yet.')
  return h('ol', { class: 'timeline', id: 'vrrp-timeline' }, list.map(t => h('li', {},
    h('span', { class: 'mute' }, new Date(t.time).toLocaleString()), ' ', h('b', {}, t.instance), ' ',
    h('span', { class: `state ${t.from}` }, t.from), ' → ', h('span', { class: `state ${t.to}` }, t.to), ' ', h('span', { class: 'reason', 'data-code': t.code }, t.reason))))
}

const HOW_TO_ENABLE = [
  h('p', {}, 'VRRP is not running on this node.'),
  h('p', {}, 'To pair two pocketlb boxes (or pocketlb and keepalived) behind a virtual IP, write a keepalived configuration with a ',
    h('code', {}, 'vrrp_instance'), ' block (interface, virtual_router_id, priority, virtual_ipaddress) to ', h('code', {}, '/data/keepalived.conf'),
    ' on the device and restart it, or start pocketlb with ', h('code', {}, '--vrrp keepalived.conf'), ' beside ', h('code', {}, '-f'), '.'),
  h('pre', {}, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    192.168.1.100/24\n  }\n}')
]

/** This node's VRRP instances, the transitions timeline and the "simulate failure" demo switch; refreshed every 2 s. */
export function vrrpPage (root: HTMLElement): () => void {
  const msg = h('p', { id: 'vrrp-msg' })
  const box = h('input', { type: 'checkbox', id: 'vrrp-simulate' })
  // the engine reports the switch a moment after it is set: until then (at most 3 s) the box keeps what was asked
  let askedUntil = 0
  box.addEventListener('change', () => {
    box.disabled = true
    post('/api/vrrp/simulate-failure', { on: box.checked }).then(() => {
      askedUntil = Date.now() + 3000
      msg.className = 'okmsg'
      msg.textContent = box.checked ? 'Simulated failure on: this node gives up mastership (FAULT).' : 'Simulated failure off: this node is back in the election.'
      tick()
    }, (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e); box.checked = !box.checked })
      .finally(() => { box.disabled = false })
  })
  const switchRow = h('label', { class: 'switch' }, box, ' Simulate failure (demo): act as if a tracked check failed, so that the peer takes over')
  const kept = h('p', { class: 'mute', id: 'vrrp-simulate-kept' })
  let stopped = false
  const draw = (v: View): void => {
    if (!v.configured) { mount(root, h('h2', {}, 'VRRP'), h('div', { id: 'vrrp-off' }, HOW_TO_ENABLE)); return }
    if (!box.disabled && (v.simulatedFailure === box.checked || Date.now() > askedUntil)) { box.checked = v.simulatedFailure; askedUntil = 0 }
    const k = v.simulatedFailureKept
    kept.textContent = 'The switch is kept on the device: after a restart it is set again as it was left' +
      (k.on ? ` (on since ${new Date(k.since).toLocaleString()}).` : '.')
    mount(root, h('h2', {}, 'VRRP'), switchRow, kept, msg, instancesTable(v.instances), h('h3', {}, 'Transitions'), timeline(v.transitions))
  }
  const tick = (): void => { get<View>('/api/vrrp').then(v => { if (!stopped) draw(v) }).catch(() => {}) }
  tick()
  const t = setInterval(tick, 2000)
  return () => { stopped = true; clearInterval(t) }
}
