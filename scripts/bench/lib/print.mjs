// The benchmark's table: one row per figure, ratios to stock HAProxy.
const f0 = n => n == null ? '-' : Math.round(n).toLocaleString('en-US')
const f1 = n => n == null ? '-' : n.toFixed(1)
const mb = kb => kb == null ? '-' : (kb / 1024).toFixed(1) + ' MB'
const pad = (s, n) => String(s).padStart(n)

function table (title, cols, rows) {
  console.log(`\n${title}`)
  console.log('figure'.padEnd(44) + cols.map(c => pad(c, 16)).join(''))
  for (const [label, ...cells] of rows) console.log(label.padEnd(44) + cells.map(c => pad(c, 16)).join(''))
}

const ratio = (a, b) => a != null && b ? (a / b).toFixed(2) + '×' : '-'

export function printResults (r) {
  if (r.sustain) {
    const s = r.sustain
    console.log(`sustain: ${s.proxy} (${s.proxy === 'pocketlb' ? `${s.profile} profile` : 'stock'}${s.nodeFlags ? `, node ${s.nodeFlags.join(' ')}` : ''}${s.quota ? `, cpu quota ${s.quota}%` : ''}${s.quotaUnavailable ? `, quota unavailable: ${s.quotaUnavailable}` : ''}) at ${s.rate} new conn/s for ${s.secs} s`)
    console.log(`  held ${s.held}/s, ok ${s.ok}, errors ${s.errors}, p50 ${s.p50ms} ms, p99 ${s.p99ms} ms, max concurrent ${s.maxConcurrent}`)
    console.log(`  proxy CPU ${f1(s.cpuPct)} % of one core, max RSS ${mb(s.maxRssKb)}, RSS at end ${mb(s.rssEndKb)}`)
    return
  }
  if (r.l7) {
    const h = r.l7.haproxy; const hr = r.l7['haproxy-reuse']; const p = r.l7.pocketlb
    const n = r.l7['node-pipe'] ?? null
    const errs = x => x == null ? '-' : x.at1k.errors + x.close.errors + x.keepalive.errors
    const row = (label, get, fmt) => [label, fmt(get(h)), fmt(get(hr)), fmt(get(p)), ratio(get(p), get(h)), n === null ? '-' : fmt(get(n))]
    table(`L7, 99-byte responses, 2 Node backends; proxy on core 0, load on core 1 (${r.secs} s wrk runs, ${r.rateSecs} s at 1000/s)`,
      ['HAProxy stock', 'HAProxy reuse', 'pocketlb', 'plb/stock', 'Node pipe'], [
        row('CPU % of one core at 1000 new conn/s', x => x.cpuPctAt1k, f1),
        row('new conn/s per core-second (close)', x => x.closePerCoreSec, f0),
        row('keep-alive req/s per core-second', x => x.kaPerCoreSec, f0),
        row('RSS idle', x => x.rssIdleKb, mb),
        row('RSS after load', x => x.rssAfterLoadKb, mb),
        ['failed requests (1000/s + wrk runs)', errs(h), errs(hr), errs(p), '', n === null ? '-' : errs(n)]
      ])
  }
  if (r.ws) {
    const h = r.ws.haproxy; const p = r.ws.pocketlb; const n = r.ws['node-pipe'] ?? null
    table('Idle websockets held through the proxy', ['HAProxy stock', '', 'pocketlb', 'plb/stock', 'Node pipe'], [
      [`KB RSS per idle websocket (${r.wsCount})`, f1(h.kbPerWs), '', f1(p.kbPerWs), ratio(p.kbPerWs, h.kbPerWs), n === null ? '-' : f1(n.kbPerWs)],
      ['websockets upgraded / failed', `${h.ready}/${h.failed}`, '', `${p.ready}/${p.failed}`, '', n === null ? '-' : `${n.ready}/${n.failed}`]
    ])
  }
  if (r.l4) {
    const lh = r.l4.haproxy; const lp = r.l4.pocketlb
    table('L4 (mode tcp), same backends', ['HAProxy tcp', '', 'pocketlb', 'plb/HAProxy'], [
      ['keep-alive req/s per core-second', f0(lh.kaPerCoreSec), '', f0(lp.kaPerCoreSec), ratio(lp.kaPerCoreSec, lh.kaPerCoreSec)],
      ['new conn/s per core-second', f0(lh.closePerCoreSec), '', f0(lp.closePerCoreSec), ratio(lp.closePerCoreSec, lh.closePerCoreSec)],
      ['64 KiB bodies: MB/s per core-second', f0(lh.bigMBPerCoreSec), '', f0(lp.bigMBPerCoreSec), ratio(lp.bigMBPerCoreSec, lh.bigMBPerCoreSec)],
      ['RSS after load', mb(lh.rssAfterLoadKb), '', mb(lp.rssAfterLoadKb), ratio(lp.rssAfterLoadKb, lh.rssAfterLoadKb)],
      ['failed requests', lh.keepalive.errors + lh.close.errors + lh.big.errors, '', lp.keepalive.errors + lp.close.errors + lp.big.errors, '']
    ])
  }
  if (r.quota) {
    const q = r.quota
    if (q.pocketlb.unavailable) console.log(`\n--quota: unavailable (${q.pocketlb.unavailable})`)
    else {
      table(`CPU capped at ${q.pocketlb.quotaPct}% of a core (${q.pocketlb.cgroup})`, ['HAProxy stock', '', 'pocketlb', 'plb/stock'], [
        ['max new conn/s (wrk, close)', f0(q.haproxy.closeRps), '', f0(q.pocketlb.closeRps), ratio(q.pocketlb.closeRps, q.haproxy.closeRps)],
        ['rate held when offered 1000/s', f0(q.haproxy.at1k.held), '', f0(q.pocketlb.at1k.held), ratio(q.pocketlb.at1k.held, q.haproxy.at1k.held)],
        ['p99 ms at 1000/s offered', q.haproxy.at1k.p99ms, '', q.pocketlb.at1k.p99ms, ''],
        ['failed', q.haproxy.closeErrors + q.haproxy.at1k.errors, '', q.pocketlb.closeErrors + q.pocketlb.at1k.errors, '']
      ])
    }
  }
}
