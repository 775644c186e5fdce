import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import { runRules } from '../../../src/rules/compile.ts'
import { target, request } from './helpers.ts'

// userlist sections, http_auth / http_auth_group and `http-request auth`,
// from configuration text to the verdict on a request.

const H6 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1' // "secret"

function load (body: string, lists: string) {
  return loadConfigSources([{ path: 'a.cfg', text: `${lists}
defaults
  mode http
  timeout connect 1s
  timeout client 1s
  timeout server 1s
frontend fe
  bind 127.0.0.1:8080
${body}
` }])
}

const LISTS = `userlist L1
  group G1 users tiger,scott
  group G2
  user tiger password ${H6}
  user scott insecure-password elgato groups G2
  user bob insecure-password bob`

const basic = (cred: string): [string, string][] => [['Authorization', 'Basic ' + Buffer.from(cred).toString('base64')]]

test('http-request auth unless http_auth: 401 with the realm, credentials checked against clear and crypt passwords', () => {
  const r = load(`  acl ok http_auth(L1)
  acl g1 http_auth_group(L1) G1
  acl g2 http_auth_group(L1) G2
  http-request return status 200 content-type text/plain lf-string "g1 %[http_auth_group(L1)]" if g1
  http-request return status 200 content-type text/plain string "g2" if g2
  http-request auth realm "My realm" unless ok
  http-request return status 200 content-type text/plain string "ok"`, LISTS)
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const rules = r.plan.frontends[0].httpRequestRules
  const verdict = (headers: [string, string][]) => runRules(rules, target(request('/', headers)))
  const challenge = { kind: 'auth', realm: 'My realm' }
  assert.deepEqual(verdict([]), challenge)
  assert.deepEqual(verdict(basic('tiger:bad')), challenge)
  assert.deepEqual(verdict(basic('nobody:secret')), challenge)
  assert.deepEqual(verdict([['Authorization', 'Bearer abc']]), challenge)
  assert.deepEqual(verdict(basic('tiger:secret')), { kind: 'respond', status: 200, headers: [['content-type', 'text/plain']], body: 'g1 tiger' })
  assert.deepEqual(verdict(basic('tiger:secret')), verdict(basic('tiger:secret')), 'the cached verification gives the same answer')
  assert.equal((verdict(basic('scott:elgato')) as { body: string }).body, 'g1 scott', 'group membership from the group line')
  assert.equal((verdict(basic('bob:bob')) as { body: string }).body, 'ok', 'in no group')
})

test('the realm defaults to the proxy name; a userlist may be declared after its use', () => {
  const r = load('  http-request auth unless { http_auth(LATE) }', '')
  assert.equal(r.ok, false, 'LATE is not declared')
  const late = loadConfigSources([{ path: 'a.cfg', text: `defaults
  mode http
frontend fe
  bind 127.0.0.1:8080
  http-request auth unless { http_auth(LATE) }
userlist LATE
  user u insecure-password p
` }])
  assert.ok(late.ok, late.ok ? '' : late.alerts.join('\n'))
  const rules = late.plan.frontends[0].httpRequestRules
  assert.deepEqual(runRules(rules, target(request('/'))), { kind: 'auth', realm: 'fe' })
  assert.equal(runRules(rules, target(request('/', basic('u:p')))).kind, 'continue')
  assert.equal(runRules(rules, target(request('/', basic('u:p:x')))).kind, 'auth', 'the password runs to the end')
})

test('userlist problems are reported as HAProxy reports them', () => {
  const dup = load('', `userlist L1
  user a insecure-password x
  user a insecure-password y
  user y password $y$j9T$abc$def`)
  assert.ok(dup.ok)
  assert.ok(dup.warnings.some(w => w.includes("[a.cfg:3] : ignoring duplicated user 'a' in userlist 'L1'.")), dup.warnings.join('\n'))
  assert.ok(dup.warnings.some(w => w.includes("[a.cfg:4] : user 'y' of userlist 'L1': pocketlb only verifies")))
  const noUser = load('', `userlist L1
  group G1 users nobody`)
  assert.equal(noUser.ok, false)
  assert.ok(!noUser.ok && noUser.alerts.includes("userlist 'L1': no such user 'nobody' specified in group 'G1'"))
  const noGroup = load('  http-request deny if { http_auth_group(L1) NOGROUP }', LISTS)
  assert.ok(!noGroup.ok && noGroup.alerts.some(a => a.includes("invalid group 'NOGROUP'")))
})

test('a user naming a group that does not exist is an error', () => {
  const r = load('', `userlist L1
  group G1
  user a insecure-password x groups G1,NOPE`)
  assert.ok(!r.ok && r.alerts.includes("userlist 'L1': no such group 'NOPE' specified in user 'a'"))
})
