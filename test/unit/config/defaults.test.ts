import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import type { Plan } from '../../../src/config/plan.ts'
import { effectiveConnMode } from '../../../src/config/conn-mode.ts'

function ok (text: string): Plan {
  const r = loadConfigSources([{ path: 'd.cfg', text }], { env: {} })
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return r.plan
}

test('proxies inherit timeouts, options, logs and default-server from the last defaults', () => {
  const p = ok(['global', '  log 127.0.0.1:20514 local3',
    'defaults', '  mode http', '  log global', '  option httplog', '  option dontlognull', '  option http-server-close',
    '  timeout client 10s', '  timeout server 20s', '  timeout connect 3s', '  retries 5', '  default-server inter 4s rise 3',
    'frontend f', '  bind 127.0.0.1:29020', '  no option dontlognull', '  no log', '  default_backend b',
    'backend b', '  timeout server 1m', '  no option http-server-close', '  server s 127.0.0.1:1 check',
    'defaults', '  mode tcp', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s',
    'backend c', '  server s 127.0.0.1:1'].join('\n'))
  const f = p.frontends[0]
  const b = p.backends.get('b')
  const c = p.backends.get('c')
  assert.ok(f && b && c)
  assert.deepEqual([f.mode, f.logFormat, f.dontlognull, f.logs.length, f.httpConnMode, f.timeouts.client], ['http', 'httplog', false, 0, 'server-close', 10000])
  assert.deepEqual([b.timeouts.server, b.timeouts.connect, b.retries, b.httpConnMode, b.logs[0]?.facility], [60000, 3000, 5, 'keep-alive', 19])
  assert.deepEqual([b.servers[0]?.check.inter, b.servers[0]?.check.rise], [4000, 3])
  assert.deepEqual([c.mode, c.timeouts.server, c.retries, c.logFormat, c.servers[0]?.check.inter], ['tcp', 1000, 3, null, 2000])
})

test('named defaults and `from`; a later defaults section does not change earlier proxies', () => {
  const p = ok(['defaults web', '  mode http', '  timeout client 7s', '  timeout server 7s', '  timeout connect 7s',
    'defaults plain', '  mode tcp', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s',
    'backend implicit', '  server s 127.0.0.1:1',
    'backend explicit from web', '  server s 127.0.0.1:1',
    'defaults child from web', '  timeout server 9s',
    'backend grandchild', '  server s 127.0.0.1:1'].join('\n'))
  assert.deepEqual([p.backends.get('implicit')?.mode, p.backends.get('implicit')?.timeouts.client], ['tcp', 1000])
  assert.deepEqual([p.backends.get('explicit')?.mode, p.backends.get('explicit')?.timeouts.client], ['http', 7000])
  assert.deepEqual([p.backends.get('grandchild')?.mode, p.backends.get('grandchild')?.timeouts.server, p.backends.get('grandchild')?.timeouts.connect], ['http', 9000, 7000])
  const r = loadConfigSources([{ path: 'd.cfg', text: 'backend b from nowhere\n' }], { env: {} })
  assert.ok(!r.ok && r.alerts[0]?.includes("parsing [d.cfg:1] : backend 'b': unable to find defaults section 'nowhere'."))
})

test('HTTP connection modes: keep-alive by default, `no option` cancels only its own mode', () => {
  const modes = ['', 'option httpclose', 'option http-server-close', 'option http-keep-alive',
    'option httpclose\n  no option httpclose', 'option httpclose\n  no option http-server-close', 'option http-server-close\n  option httpclose']
  const p = ok(modes.map((m, i) => `backend b${i}\n  mode http\n  ${m}\n  server s 127.0.0.1:1`).join('\n'))
  assert.deepEqual(modes.map((_, i) => p.backends.get(`b${i}`)?.httpConnMode), ['keep-alive', 'close', 'server-close', 'keep-alive', 'keep-alive', 'close', 'close'])
  assert.equal(effectiveConnMode('keep-alive', 'server-close'), 'server-close')
  assert.equal(effectiveConnMode('server-close', 'close'), 'server-close')
  assert.equal(effectiveConnMode('keep-alive', 'close'), 'server-close')
  assert.equal(effectiveConnMode('close', 'keep-alive'), 'close')
  assert.equal(effectiveConnMode('keep-alive', 'keep-alive'), 'keep-alive')
})

test('listen sections are both frontend and backend; ids follow declaration order', () => {
  const p = ok('frontend f\n  bind 127.0.0.1:29030\n  default_backend l\nlisten l\n  bind 127.0.0.1:29031\n  maxconn 33\n  server s 127.0.0.1:1\nbackend f\n  server s 127.0.0.1:1\n')
  assert.deepEqual(p.frontends.map(f => [f.name, f.id, f.isListen, f.defaultBackend]), [['f', 1, false, 'l'], ['l', 2, true, 'l']])
  assert.deepEqual([...p.backends.values()].map(b => [b.name, b.id, b.maxconn]), [['l', 2, 33], ['f', 3, 0]])
  assert.equal(p.frontends[0]?.maxconn, 4096)
})

test('missing timeouts give HAProxy\'s warning', () => {
  const r = loadConfigSources([{ path: 'd.cfg', text: 'frontend f\n  bind 127.0.0.1:29040\n  default_backend b\nbackend b\n  timeout connect 1s\n  server s 127.0.0.1:1\n' }], { env: {} })
  assert.ok(r.ok)
  assert.ok(r.warnings.some(w => w.startsWith("missing timeouts for frontend 'f'.")))
  assert.ok(r.warnings.some(w => w.startsWith("missing timeouts for backend 'b'.")))
})

test('the plan is frozen', () => {
  const p = ok('frontend f\n  bind 127.0.0.1:29050\n')
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.global) && Object.isFrozen(p.frontends[0]?.binds[0]))
  assert.throws(() => { (p.frontends[0] as { name: string }).name = 'x' }, TypeError)
})
