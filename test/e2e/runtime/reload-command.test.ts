/** `reload` on the stats socket of the real CLI process: it runs the SIGHUP
 *  reload, answers Success=1 and the new configuration serves; a broken file
 *  answers Success=0 with the alert lines and the running one stays; a
 *  user-level socket may not reload. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { cli, tempDir } from './helpers.ts'

const dir = tempDir()
let child: ChildProcess | null = null

after(async () => {
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise(resolve => child!.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }
  dir.remove()
})

const admin = join(dir.path, 'admin.sock')
const user = join(dir.path, 'user.sock')
const file = join(dir.path, 'lb.cfg')

function writeConfig (port: number, answer: string, extra = ''): void {
  writeFileSync(file, `global\n  stats socket ${admin} level admin\n  stats socket ${user} level user\n` +
    `defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
    `frontend f\n  bind 127.0.0.1:${port}\n  http-request return status 200 content-type text/plain string ${answer}\n${extra}`)
}

const body = async (port: number): Promise<string> => {
  const res = await rawExchange(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')
  return res.slice(res.indexOf('\r\n\r\n') + 4)
}

/** Resolves once the process printed its start line (-d). */
function started (c: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = ''
    const t = setTimeout(() => reject(new Error('no start line: ' + err)), 15000)
    c.stderr!.on('data', d => { err += d; if (/pocketlb \S+ started/.test(err)) { clearTimeout(t); resolve() } })
  })
}

test('reload command: applies the files, refuses a broken one with its alerts, admin level only', async () => {
  const [port] = await freePorts(1)
  writeConfig(port, 'first')
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '-d', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  await started(child)
  assert.equal(await body(port), 'first')

  assert.equal(await cli(user, 'reload'), 'Permission denied\n\n')

  writeConfig(port, 'second')
  assert.equal(await cli(admin, 'reload'), 'Success=1\n--\nReloaded configuration.\n\n')
  assert.equal(await body(port), 'second')

  writeConfig(port, 'third', '  no-such-keyword here\n')
  const refused = await cli(admin, 'reload')
  assert.match(refused, /^Success=0\n--\n/)
  assert.match(refused, /no-such-keyword/)
  assert.match(refused, /Reload refused: the running configuration stays in service\.\n\n$/)
  assert.equal(await body(port), 'second')

  // the commands after a reload on the same line wait for it and see the new state
  writeConfig(port, 'fourth')
  const out = await cli(admin, 'reload; show cli level')
  assert.equal(out, 'Success=1\n--\nReloaded configuration.\n\nadmin\n\n')
  assert.equal(await body(port), 'fourth')
})
