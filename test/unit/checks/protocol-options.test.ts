import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'

const load = (backend: string): ReturnType<typeof loadConfigSources> => loadConfigSources([{
  path: 't.cfg',
  text: `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nbackend bk\n${backend}  server a 127.0.0.1:1 check\n`
}], { baseDir: '.' })

test('smtpchk greets with HELO localhost unless given EHLO|HELO <domain>; pgsql-check needs a user (HAProxy 2.6 alerts)', () => {
  const arg = (line: string): string | undefined => {
    const r = load(line)
    assert.ok(r.ok, line)
    return r.plan.backends.get('bk')?.check.protocolArg
  }
  assert.equal(arg('  option smtpchk\n'), 'HELO localhost')
  assert.equal(arg('  option smtpchk EHLO mx.example\n'), 'EHLO mx.example')
  assert.equal(arg('  option smtpchk FOO bar\n'), 'HELO localhost')
  assert.equal(arg('  option pgsql-check user alice\n'), 'alice')
  const alerts = (line: string): string => { const r = load(line); return r.ok ? '' : r.alerts.join('\n') }
  assert.match(alerts('  option pgsql-check\n'), /parsing \[t\.cfg:7\] : 'option pgsql-check' expects 'user <username>' as argument\./)
  assert.match(alerts('  option pgsql-check foo bar\n'), /'option pgsql-check' only supports optional values: 'user'\./)
})
