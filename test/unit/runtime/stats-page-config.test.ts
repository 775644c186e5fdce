import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'

test('global node/description and the stats page keywords reach the plan', () => {
  const r = loadConfigSources([{
    path: 't.cfg',
    text: 'global\n  node lb-one\n  description the global description\n' +
      'defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n' +
      'listen a\n  bind 127.0.0.1:1\n  stats enable\n  stats show-node\n  stats show-desc\n  stats show-legends\n' +
      '  stats scope .\n  stats scope b\n  server x 127.0.0.1:2\n' +
      'listen b\n  bind 127.0.0.1:3\n  stats enable\n  stats show-node other\n  stats show-desc my own words\n  server x 127.0.0.1:2\n'
  }], { baseDir: '.' })
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  assert.equal(r.plan.global.node, 'lb-one')
  assert.equal(r.plan.global.description, 'the global description')
  const a = r.plan.frontends.find(f => f.name === 'a')?.statsPage
  assert.deepEqual([a?.showNode, a?.showDesc, a?.showLegends, a?.scope], ['', '', true, ['a', 'b']])
  const b = r.plan.frontends.find(f => f.name === 'b')?.statsPage
  assert.deepEqual([b?.showNode, b?.showDesc, b?.showLegends, b?.scope], ['other', 'my own words', undefined, undefined])
})
