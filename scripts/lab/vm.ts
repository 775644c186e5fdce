/** The lab's load balancers as the real image under QEMU (`npm run lab -- up --qemu`): one VM
 *  per lb booted from a copy of image/out/qemu-virt.img whose /data already holds the lb's
 *  network.conf, pocketlb.cfg and keepalived.conf (written into a copy of the data partition with
 *  debugfs, no mount), its two NICs TAP devices moved into the switch namespace and named as the
 *  namespace lab's switch ports ("lan-lb1", "srv-lb1"), so cables are pulled the same way. */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { ROOT } from './services.ts'
import { sh } from './wiring.ts'
import { VIP, type LabNode, type Port, type Topology } from './topology.ts'

const OUT = join(ROOT, 'image/out')
const IMAGE = join(OUT, 'qemu-virt.img')

/** Why the image cannot be booted here, or null when it can. */
export function vmUnavailable (): string | null {
  for (const f of [IMAGE, join(OUT, 'data.ext4'), join(OUT, 'data-offset-sectors'), join(OUT, 'vmlinuz'), join(OUT, 'initrd.img')]) {
    if (!existsSync(f)) return `no ${f}: run npm run image first`
  }
  for (const cmd of ['qemu-system-aarch64', 'debugfs']) {
    if (spawnSync('which', [cmd]).status !== 0) return `${cmd} is not installed`
  }
  return existsSync('/dev/net/tun') ? null : 'no /dev/net/tun: QEMU cannot make its TAP devices'
}

/** MAC of <lb>'s port <p>: 52:54:00:77:<lb number>:<port number> */
export function vmMac (lb: LabNode, p: Port): string {
  return `52:54:00:77:0${lb.name.slice(2)}:0${p.ifname === 'eth0' ? 1 : 2}`
}

/** TAP names QEMU makes in the host namespace (15 characters at most, unique per lab) */
function tapName (t: Topology, lb: LabNode, p: Port): string {
  let h = 0
  for (const c of t.prefix) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return `plv${h.toString(36).slice(0, 6)}${lb.name.slice(2)}${p.ifname === 'eth0' ? 'l' : 's'}`
}

/** /data/network.conf of the VM: port 1 on the LAN segment, port 2 on the servers' segment
 *  (no "pc" role: the image's web UI on port 80 would collide with the proxy's `bind :80`). */
function networkConf (lb: LabNode): string {
  return lb.ports.map(p => `${p.ifname} ${p.addr}/24 ${p.segment === 'lan' ? 'lan' : 'servers'}\n`).join('')
}

/** The disk of <lb>'s VM in <dir>: the image, its data partition holding <files> (name → text). */
export function vmDisk (dir: string, lb: LabNode, files: Record<string, string>): string {
  const disk = join(dir, `${lb.name}.img`)
  const data = join(dir, `${lb.name}-data.ext4`)
  copyFileSync(IMAGE, disk)
  copyFileSync(join(OUT, 'data.ext4'), data)
  for (const [name, text] of Object.entries({ ...files, 'network.conf': networkConf(lb) })) {
    const local = join(dir, `${lb.name}-${name}`)
    writeFileSync(local, text)
    sh(['debugfs', '-w', '-R', `write ${local} ${name}`, data])
  }
  const offset = Number(readFileSync(join(OUT, 'data-offset-sectors'), 'utf8').trim())
  sh(['dd', `if=${data}`, `of=${disk}`, 'bs=512', `seek=${offset}`, 'conv=notrunc', 'status=none'])
  return disk
}

const monitorPath = (dir: string, lb: LabNode): string => join(dir, `${lb.name}-monitor.sock`)

/** The QEMU command of <lb>'s VM: its serial console is the service's output (the lab log),
 *  its monitor a unix socket in <dir> (cables: vmCarrier). */
export function qemuArgv (t: Topology, lb: LabNode, dir: string, disk: string): string[] {
  const nics = lb.ports.flatMap(p => [
    '-netdev', `tap,id=${p.ifname},ifname=${tapName(t, lb, p)},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=${p.ifname},mac=${vmMac(lb, p)}`
  ])
  return ['qemu-system-aarch64', '-M', 'virt', '-cpu', 'cortex-a53', '-m', '256', '-smp', '1', '-no-reboot',
    '-kernel', join(OUT, 'vmlinuz'), '-initrd', join(OUT, 'initrd.img'),
    '-append', 'console=ttyAMA0 root=/dev/vda1 data=/dev/vda2 quiet panic=-1',
    '-drive', `file=${disk},format=raw,if=none,id=disk`, '-device', 'virtio-blk-pci,drive=disk', ...nics,
    '-serial', 'stdio', '-monitor', `unix:${monitorPath(dir, lb)},server,nowait`, '-display', 'none']
}

/** Once QEMU made <lb>'s TAPs: each into the switch namespace, named as its switch port, into its
 *  segment's bridge, up. Waits up to 10 s for QEMU. */
export async function wireVm (t: Topology, lb: LabNode): Promise<void> {
  for (const p of lb.ports) {
    const tap = tapName(t, lb, p)
    const end = Date.now() + 10_000
    while (spawnSync('ip', ['link', 'show', tap]).status !== 0) {
      if (Date.now() > end) throw new Error(`QEMU made no ${tap} for ${lb.name} within 10 s`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    sh(['ip', 'link', 'set', tap, 'netns', t.switchNs])
    sh(['ip', '-n', t.switchNs, 'link', 'set', tap, 'name', p.switchPort])
    sh(['ip', '-n', t.switchNs, 'link', 'set', p.switchPort, 'master', p.segment, 'up'])
  }
}

/** The carrier of <lb>'s NIC on port <p>, as its guest sees it (QEMU's `set_link`): a pulled
 *  cable is seen by the VM, as a namespace sees its veth go down. Resolves once QEMU answered. */
export function vmCarrier (dir: string, lb: LabNode, p: Port, up: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(monitorPath(dir, lb))
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer from ${lb.name}'s QEMU monitor in 15 s`)) }, 15_000)
    let seen = ''
    let sent = false
    s.on('data', d => {
      seen += d.toString()
      // the greeting ends with a prompt, the command's answer with the next one
      const prompts = seen.split('(qemu)').length - 1
      if (prompts === 1 && !sent) { s.write(`set_link ${p.ifname} ${up ? 'on' : 'off'}\n`); sent = true }
      if (prompts === 2) { clearTimeout(timer); s.end(); resolve() }
    })
    s.on('error', e => { clearTimeout(timer); reject(e) })
  })
}

/** The lb whose VM answers ARP for the VIP on the LAN (asked from the client), or null. */
export function vipHolderByArp (t: Topology): LabNode | null {
  const r = spawnSync('ip', ['netns', 'exec', t.client.ns, 'arping', '-c', '1', '-w', '1', '-I', 'eth0', VIP], { encoding: 'utf8', timeout: 5000 })
  const mac = /from (?:[\d.]+ \[)?([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i.exec(r.stdout)?.[1]?.toLowerCase()   // iputils or Habets' arping
  return t.lbs.find(lb => lb.ports.some(p => vmMac(lb, p) === mac)) ?? null
}
