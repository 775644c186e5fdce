// Observe mode for the net tests, run inside the observing node's namespace:
//   run-observer.ts <bridge> <pcPort> <maxBody>   stdin lines "on" / "off" / "har <id>..." / "relayed";
//   stdout JSON lines: {"t":"ready"}, {"t":"on"|"off"}, {"t":"capture","c":...}, {"t":"har","har":...},
//   {"t":"relayed","relayed":<connections being relayed>}
import { createInterface } from 'node:readline'
import { Observer } from '../../../src/observe/observer.ts'

const out = (o: unknown): void => {
  process.stdout.write(JSON.stringify(o, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('latin1') : v) + '\n')
}
const o = new Observer({ bridge: process.argv[2]!, pcPort: process.argv[3]!, maxBody: Number(process.argv[4]) })
await o.start()
o.store.on('exchange', c => out({ t: 'capture', c }))
createInterface({ input: process.stdin }).on('line', line => {
  const [cmd, ...ids] = line.split(' ')
  if (cmd === 'on') { o.enable(); out({ t: 'on' }) }
  if (cmd === 'off') { o.disable(); out({ t: 'off' }) }
  if (cmd === 'har') out({ t: 'har', har: o.store.toHar(ids.map(Number)) })
  if (cmd === 'relayed') out({ t: 'relayed', relayed: o.relayed })
})
process.once('SIGTERM', () => { void o.stop().then(() => process.exit(0)) })
out({ t: 'ready' })
