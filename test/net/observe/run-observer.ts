// Observe mode for the net test, run inside the observing node's namespace:
//   run-observer.ts <bridge> <pcPort>   stdin lines "on" / "off" / "har <id>..." ;
//   stdout JSON lines: {"t":"ready"}, {"t":"on"|"off"}, {"t":"capture","c":...}, {"t":"har","har":...}
import { createInterface } from 'node:readline'
import { Observer } from '../../../src/observe/observer.ts'

const out = (o: unknown): void => {
  process.stdout.write(JSON.stringify(o, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('latin1') : v) + '\n')
}
const o = new Observer({ bridge: process.argv[2]!, pcPort: process.argv[3]!, maxBody: 16 })
await o.start()
o.store.on('exchange', c => out({ t: 'capture', c }))
createInterface({ input: process.stdin }).on('line', line => {
  const [cmd, ...ids] = line.split(' ')
  if (cmd === 'on') { o.enable(); out({ t: 'on' }) }
  if (cmd === 'off') { o.disable(); out({ t: 'off' }) }
  if (cmd === 'har') out({ t: 'har', har: o.store.toHar(ids.map(Number)) })
})
process.once('SIGTERM', () => { void o.stop().then(() => process.exit(0)) })
out({ t: 'ready' })
