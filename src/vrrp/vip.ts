/** VipManager with iproute2 (`ip addr add|del <addr>/<len> dev <dev> label <label>`)
 *  and gratuitous ARP through the `arping` on the image (Thomas Habets' arping,
 *  as in Debian's `arping` package, or iputils-arping: both spellings are known). */
import { execFile, execFileSync, spawn } from 'node:child_process'
import type { VipManager } from './ports.ts'
import type { VipPlan } from './types.ts'

function run (cmd: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise(resolve => {
    execFile(cmd, args, { timeout: 5000 }, (err, _out, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stderr: String(stderr) })
    })
  })
}

type ArpingFlavor = 'habets' | 'iputils'

/** Which arping is installed: their options differ (-i vs -I for the interface). */
export function detectArping (cmd = 'arping'): ArpingFlavor {
  try {
    const out = execFileSync(cmd, ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 2000 })
    return /Habets/.test(out) ? 'habets' : 'iputils'
  } catch (e) {
    const text = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '')
    return /Habets/.test(text) ? 'habets' : 'iputils'
  }
}

/** Arguments for <count> unsolicited ARPs announcing <addr> on <dev>. */
export function garpArgs (flavor: ArpingFlavor, dev: string, addr: string, count: number): string[] {
  return flavor === 'habets'
    ? ['-q', '-U', '-c', String(count), '-W', '0.2', '-i', dev, '-S', addr, addr]   // a request, as keepalived: Linux ignores unsolicited replies
    : ['-q', '-U', '-c', String(count), '-I', dev, addr]
}

export class IprouteVipManager implements VipManager {
  private flavor: ArpingFlavor | null = null
  /** running arping children → the address each announces */
  private readonly arping = new Map<ReturnType<typeof spawn>, string>()

  constructor (private readonly log: (msg: string) => void = () => {}) {}

  async add (vips: readonly VipPlan[]): Promise<void> {
    for (const v of vips) {
      const args = ['-4', 'addr', 'add', `${v.addr}/${v.prefixLen}`, 'dev', v.dev]
      if (v.label) args.push('label', v.label)
      const r = await run('ip', args)
      // EEXIST: already there (e.g. configured by hand), which is what we want
      if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`)
    }
  }

  /** Removes <vips> and ends the ARP bursts still announcing them: a node that left MASTER
   *  must not keep pointing the LAN's ARP caches at itself (busybox arping sends one a second). */
  async del (vips: readonly VipPlan[]): Promise<void> {
    for (const v of vips) {
      for (const [child, addr] of this.arping) if (addr === v.addr) { child.kill(); this.arping.delete(child) }
      const args = ['-4', 'addr', 'del', `${v.addr}/${v.prefixLen}`, 'dev', v.dev]
      const r = await run('ip', args)
      if (r.code !== 0 && !/Cannot assign requested address|Address not found|Cannot find device/.test(r.stderr)) {
        throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`)
      }
    }
  }

  /** Starts the ARPs and returns at once: a burst takes a while and must not hold
   *  back a later `del` (the caller serialises VIP operations). */
  async garp (vips: readonly VipPlan[], count: number): Promise<void> {
    this.flavor ??= detectArping()
    for (const v of vips) {
      const child = spawn('arping', garpArgs(this.flavor, v.dev, v.addr, count), { stdio: 'ignore' })
      this.arping.set(child, v.addr)
      child.on('error', err => { this.arping.delete(child); this.log(`arping: ${err.message}`) })
      child.on('exit', () => this.arping.delete(child))
    }
  }

  /** Ends running arping children (engine shutdown). */
  close (): void {
    for (const c of this.arping.keys()) c.kill()
    this.arping.clear()
  }
}
