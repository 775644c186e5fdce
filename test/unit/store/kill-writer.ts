// Child of kill9.test.ts: writes log lines ("<run> <i>") and audit events in
// batches as fast as it can; after each committed transaction prints
// "committed <n>": lines 0..n-1 of this run are on disk.
import { Store } from '../../../src/store/store.ts'

const [path, run] = process.argv.slice(2)
const store = Store.open(path, { flushMs: 60_000 })
let i = 0
for (;;) {
  for (let k = 0; k < 200; k++) store.events.log(`${run} ${i++} ${'x'.repeat(100)}`)
  store.events.audit('admin', 'write', String(i))
  store.batch.flush()
  process.stdout.write(`committed ${i}\n`)
}
