/** The stats page's layer-4 section: the kernel (nftables) virtual services
 *  running beside the proxy, one table per virtual_server with its real
 *  servers' states and nft counters. pocketlb's own: HAProxy has no kernel
 *  path, so neither its CSV export nor `show stat` has these rows. */
import type { L4RealServerStatus, L4ServiceStatus } from '../l4/status.ts'
import { escapeHtml } from './stats-html.ts'

const HEADINGS = ['Real server', 'Status', 'Weight (now/configured)', 'New flows', 'Packets', 'Bytes', 'Checks']

function serverRow (r: L4RealServerStatus, label: string): string {
  const state = r.up ? 'UP' : r.inhibited ? 'DOWN (inhibited)' : 'DOWN'
  const css = r.up ? 'active_up' : 'active_down'
  const checks = r.checks.map(c => `${c.checker} ${c.lastStatus}${c.lastInfo ? ` (${c.lastInfo})` : ''}`).join(', ')
  const cells = [`${label}${r.addr}:${r.port}`, state, `${r.effectiveWeight}/${r.weight}`, r.flows, r.packets, r.bytes, checks]
  return `<tr class="${css}">${cells.map(c => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>\n`
}

/** The section for <list>, "" when no virtual service runs. */
export function l4StatsSection (list: readonly L4ServiceStatus[]): string {
  if (!list.length) return ''
  let out = '<h2>Layer 4 in the kernel (keepalived virtual_server on nftables)</h2>\n' +
    '<p>pocketlb&#39;s own section, not HAProxy&#39;s: these flows are forwarded by the kernel, so they are not in the CSV ' +
    'export nor in <code>show stat</code>. Counters are nftables&#39; (packets and bytes: both directions with lb_kind NAT, ' +
    'client to server only with DR, whose replies go straight to the client), read every 2 s; <code>show l4 json</code> has ' +
    'the same figures.</p>\n'
  for (const s of list) {
    const addrs = s.addresses.map(a => `${a.addr}:${a.port}`).join(', ')
    const title = `${s.name} ${s.protocol.toUpperCase()} ${addrs} lb_algo ${s.algo}, lb_kind ${s.kind}${s.persistenceTimeout ? `, persistence ${s.persistenceTimeout / 1000} s` : ''}`
    out += `<table class="l4">\n<tr class="backend"><th colspan="${HEADINGS.length}">${escapeHtml(title)}</th></tr>\n` +
      `<tr>${HEADINGS.map(h => `<th>${h}</th>`).join('')}</tr>\n`
    for (const r of s.realServers) out += serverRow(r, '')
    if (s.sorryServer) out += serverRow(s.sorryServer, s.sorryActive ? 'sorry_server (active) ' : 'sorry_server ')
    out += '</table>\n'
  }
  return out
}
