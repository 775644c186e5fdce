/** Stats sockets follow a SIGHUP reload of the real CLI process: a socket at
 *  the same address is kept (an open prompt-mode session survives and sees
 *  the new configuration; the new level applies to new connections), added
 *  ones open, removed ones close and their unix path disappears. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { cli, tempDir } from './helpers.ts'
import { freePorts, waitPort } from '../../helpers/net.ts'

const dir = tempDir()
let proc: ChildProcess | null = null
let session: Socket | null = null

after(() => {
  session?.destroy()
  if (proc !== null && proc.exitCode === null) proc.kill('SIGKILL')
  dir.remove()
})

const cfgFile = join(dir.path, 'p.cfg')
const sockA = join(dir.path, 'a.sock')

function writeConfig (sockets: string, backend: string, port: number): void {
  writeFileSync(cfgFile, `global\n${sockets}defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
    `frontend f\n  bind 127.0.0.1:${port}\n  default_backend ${backend}\nbackend ${backend}\n  server s1 127.0.0.1:9\n`)
}

/** Waits until <cond> holds, polling every 50 ms, at most 5 s. */
async function until (cond: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  assert.fail('timed out waiting for ' + what)
}

/** Sends <line> on the prompt-mode <sock> and resolves the answer up to the next prompt. */
function ask (sock: Socket, line: string): Promise<string> {
  return new Promise(resolve => {
    let out = ''
    const onData = (d: Buffer): void => {
      out += d.toString('latin1')
      if (out.endsWith('\n> ')) { sock.off('data', onData); resolve(out) }
    }
    sock.on('data', onData)
    sock.write(line + '\n')
  })
}

test('stats sockets are kept, added and removed on SIGHUP reload', async () => {
  const [port, tcpPort] = await freePorts(2)
  writeConfig(`  stats socket ${sockA} level user\n`, 'one', port)
  proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '-q', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', d => { stderr += String(d) })
  await waitPort(port)
  assert.equal(await cli(sockA, 'show cli level'), 'user\n\n')

  session = connect(sockA)
  await new Promise(resolve => session!.once('connect', resolve))
  assert.match(await ask(session, 'prompt'), /^\n> $/)
  assert.equal(await ask(session, 'show backend'), '# name\none\n\n> ')

  writeConfig(`  stats socket ${sockA} level admin\n  stats socket 127.0.0.1:${tcpPort} level operator\n`, 'two', port)
  proc.kill('SIGHUP')
  await until(async () => (await cli(sockA, 'show backend').catch(() => '')).includes('two'), 'the new configuration')
  assert.equal(await ask(session, 'show backend'), '# name\ntwo\n\n> ', 'the session opened before the reload goes on')
  assert.equal(await cli(sockA, 'show cli level'), 'admin\n\n')
  assert.equal(await cli(tcpPort, 'show cli level'), 'operator\n\n')

  writeConfig(`  stats socket 127.0.0.1:${tcpPort} level operator\n`, 'three', port)
  proc.kill('SIGHUP')
  await until(() => !existsSync(sockA), 'a.sock to disappear')
  assert.equal(await cli(tcpPort, 'show backend'), '# name\nthree\n\n')
  await assert.rejects(cli(sockA, 'show info'))
  assert.equal(proc.exitCode, null, stderr)
})
