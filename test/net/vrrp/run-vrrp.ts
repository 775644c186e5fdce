// `pocketlb vrrp` for the net tests, run inside a namespace: node --import tsx run-vrrp.ts -f <conf>
import { runVrrpCli } from '../../../src/vrrp/main.ts'

runVrrpCli(process.argv.slice(2)).then(code => process.exit(code), err => { console.error(err); process.exit(1) })
