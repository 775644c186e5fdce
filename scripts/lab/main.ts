// `npm run lab [-- up|status|fail ...|restore|down]`: the teaching lab in network
// namespaces (root, Linux). PLB_LAB_PREFIX names the lab (default "plab": namespaces
// plab-client, plab-lb1 ...); PLB_LAB_ADVERT sets the VRRP advert interval in seconds.
import { down, fail, restore, up } from './lab.ts'
import { loadState } from './services.ts'
import { statusText, whereText } from './status.ts'
import { UI_HOST_PORT, topology, validPrefix } from './topology.ts'

const USAGE = `Usage: npm run lab [-- <command>]
  up (default) [--qemu]            build the lab and start everything (--qemu: each lb is the
                                   image booted under QEMU, docs/lab.md)
  status                           who holds the VIP, cables, processes, servers, a client request
  fail master                      power off the lb holding the VIP
  fail backend <n>                 kill web<n>'s server
  fail link [<node> [lan|srv]]     pull a cable (default: the master's LAN cable)
  restore                          every cable back in, every dead process restarted
  down                             remove every namespace, link and process of the lab
Environment: PLB_LAB_PREFIX (default plab), PLB_LAB_ADVERT (VRRP advert_int, default 1),
  PLB_LAB_UI_PORT (host loopback port of lb1's web UI, lb2's is the next; default 9101)
`

async function run (argv: string[]): Promise<number> {
  const prefix = process.env.PLB_LAB_PREFIX ?? 'plab'
  if (!validPrefix(prefix)) { process.stderr.write(`PLB_LAB_PREFIX '${prefix}': lower-case letters, digits and '-', at most 24\n`); return 2 }
  const [cmd = 'up', ...rest] = argv
  if (cmd === 'help' || cmd === '-h' || cmd === '--help') { process.stdout.write(USAGE); return 0 }
  if (process.platform !== 'linux' || process.getuid?.() !== 0) { process.stderr.write('the lab needs Linux and root (network namespaces)\n'); return 2 }
  const t = topology(prefix)
  const say = (text: string): void => { process.stdout.write(text + '\n') }
  switch (cmd) {
    case 'up': {
      const advert = Number(process.env.PLB_LAB_ADVERT ?? 1)
      if (!(advert >= 0.01 && advert <= 255)) { process.stderr.write('PLB_LAB_ADVERT: seconds, 0.01 to 255\n'); return 2 }
      const uiHostPort = Number(process.env.PLB_LAB_UI_PORT ?? UI_HOST_PORT)
      if (!(Number.isInteger(uiHostPort) && uiHostPort >= 1024 && uiHostPort < 65535)) { process.stderr.write('PLB_LAB_UI_PORT: a port, 1024 to 65534\n'); return 2 }
      const vm = rest.includes('--qemu')
      const s = await up(t, { advert, vm, uiHostPort, log: say })
      say(whereText(t, s))
      return 0
    }
    case 'status': {
      const s = loadState(prefix)
      if (!s) { say(`no lab "${prefix}" is up`); return 1 }
      say(await statusText(t, s))
      return 0
    }
    case 'fail': say(await fail(t, rest)); return 0
    case 'restore': say(await restore(t)); return 0
    case 'down': say(await down(t)); return 0
    default: process.stderr.write(`unknown command '${cmd}'\n${USAGE}`); return 2
  }
}

run(process.argv.slice(2)).then(code => { process.exitCode = code }, (e: unknown) => {
  process.stderr.write(`lab: ${(e as Error).message}\n`)
  process.exitCode = 1
})
