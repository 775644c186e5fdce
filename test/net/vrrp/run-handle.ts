// startVrrp (worker thread) for the net tests, inside a namespace: node --import tsx run-handle.ts <conf>
// stdin lines "track <name> ok|fail" call handle.track(); transitions print like keepalived's log.
import { createInterface } from 'node:readline'
import { startVrrp } from '../../../src/vrrp/main.ts'
import { loadKeepalivedFiles } from '../../../src/config/keepalived/compile.ts'

const r = loadKeepalivedFiles([process.argv[2]!])
if (!r.ok) { console.error(r.alerts.join('\n')); process.exit(1) }
const h = await startVrrp(r.plan)
h.on('log', msg => console.log(msg))
h.on('transition', tr => console.log(`(${tr.instance}) Entering ${tr.to} STATE prio ${tr.priority}`))
createInterface({ input: process.stdin }).on('line', line => {
  const [cmd, name, ok] = line.split(' ')
  if (cmd === 'track' && name) h.track(name, ok === 'ok')
  if (cmd === 'status') console.log(`status ${JSON.stringify(h.state())}`)
})
process.once('SIGTERM', () => { void h.stop().then(() => process.exit(0)) })
