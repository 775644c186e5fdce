import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileSampleExpr, compileTemplate } from '../../../src/rules/compile.ts'
import { MapStore, parseMapText } from '../../../src/rules/maps.ts'
import { RulesError } from '../../../src/rules/types.ts'
import { request, stream, ctx } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'plb-rules-maps-'))
after(() => rmSync(dir, { recursive: true, force: true }))
writeFileSync(join(dir, 'hosts.map'), '#domainname  backendname\n\nexample.com bk_app1\napp2.example.com   bk_app2\n  # indented comment\nfoo.org bk_foo  # not a comment\n')
writeFileSync(join(dir, 'nets.map'), '10.0.0.0/8 lan\n10.1.0.0/16 lab\n')
writeFileSync(join(dir, 'paths.map'), '/api api\n/api/v2 api2\n')

const byHost = (host: string, expr = 'req.hdr(host),lower,map_dom(hosts.map,bk_default)') => {
  const c = ctx(undefined, dir)
  return compileSampleExpr(expr, c)(stream(request('/', [['Host', host]])))
}

test('map file parsing: key, rest of line as value, comments and blanks skipped', () => {
  assert.deepEqual(parseMapText('# c\n\na b c\r\nk\n'), [{ key: 'a', value: 'b c' }, { key: 'k', value: '' }])
})

test('map_dom: the key matches the domain and its parents; default otherwise', () => {
  assert.equal(byHost('www.Example.com'), 'bk_app1')
  assert.equal(byHost('example.com'), 'bk_app1')
  assert.equal(byHost('app2.example.com'), 'bk_app1', 'first key in file order wins, as in HAProxy lists')
  assert.equal(byHost('notexample.com'), 'bk_default')
  assert.equal(byHost('foo.org'), 'bk_foo  # not a comment')
  assert.equal(byHost('x.y', 'req.hdr(host),map_dom(hosts.map)'), undefined)
})

test('map_str, map_beg (longest prefix), map_ip, map_str_int; use_backend template', () => {
  const c = ctx(undefined, dir)
  assert.equal(compileSampleExpr('req.hdr(host),map_str(hosts.map)', c)(stream(request('/', [['Host', 'foo.org']]))), 'bk_foo  # not a comment')
  assert.equal(compileSampleExpr('path,map_beg(paths.map)', c)(stream(request('/api/v2/x'))), 'api2')
  assert.equal(compileSampleExpr('src,map_ip(nets.map,wan)', c)(stream(null, null, { srcAddr: '10.1.9.9' })), 'lab')
  assert.equal(compileSampleExpr('src,map_ip(nets.map,wan)', c)(stream(null, null, { srcAddr: '11.1.9.9' })), 'wan')
  assert.equal(compileSampleExpr('str(x),map_str_int(paths.map,7)', c)(stream(null)), 7)
  const t = compileTemplate('%[req.hdr(host),lower,map_dom(hosts.map,bk_default)]', c)
  assert.equal(t(stream(request('/', [['Host', 'APP2.example.com']]))), 'bk_app1')
})

test('MapStore: add/set/del/clear are seen by compiled converters without re-reading', () => {
  const c = ctx(undefined, dir)
  const fn = compileSampleExpr('req.hdr(host),map_str(hosts.map,none)', c)
  const s = stream(request('/', [['Host', 'new.net']]))
  const path = join(dir, 'hosts.map')
  assert.equal(fn(s), 'none')
  c.maps!.add(path, 'new.net', 'bk_new')
  assert.equal(fn(s), 'bk_new')
  assert.equal(c.maps!.set(path, 'new.net', 'bk_newer'), true)
  assert.equal(fn(s), 'bk_newer')
  assert.equal(c.maps!.del(path, 'new.net'), true)
  assert.equal(fn(s), 'none')
  c.maps!.clear(path)
  assert.equal(c.maps!.get(path)!.size, 0)
  assert.throws(() => c.maps!.add('/nope.map', 'a', 'b'), /unknown map/)
})

test('bad keys fail at load and at edit time, leaving the map unchanged', () => {
  const store = new MapStore()
  const c = { ...ctx(undefined, dir), maps: store }
  compileSampleExpr('src,map_ip(nets.map)', c)
  const path = join(dir, 'nets.map')
  assert.throws(() => store.add(path, 'not-an-ip', 'x'), RulesError)
  assert.equal(store.get(path)!.size, 2)
  assert.throws(() => compileSampleExpr('str(a),map(missing.map)', c), /failed to open map file/)
})
