// ACL conditions and a use_backend template as compiled from a config, against one request.
import { bench } from './measure.ts'
import { compileAcl, compileCondition, compileTemplate, mergeAcl } from '../../../src/rules/compile.ts'
import { Phase, type RulesCtx } from '../../../src/rules/types.ts'
import { MapStore } from '../../../src/rules/maps.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'
import { newHead } from '../../../src/core/http-head.ts'

const ctx: RulesCtx = { acls: new Map(), baseDir: '/tmp', phase: Phase.HttpReq, warn: () => {}, maps: new MapStore() }
const req = newHead()
req.method = 'GET'; req.uri = '/static/img/logo.png?v=3'
for (const [n, v] of [['Host', 'WWW.Example.com'], ['User-Agent', 'curl/8'], ['Accept', '*/*'], ['Cookie', 'a=1; SERVERID=s2']]) { req.names.push(n); req.lnames.push(n.toLowerCase()); req.values.push(v) }
const s: StreamView = { srcAddr: '192.168.1.10', srcPort: 40000, dstAddr: '10.0.0.1', dstPort: 80, feName: 'fe', beName: '', req, res: null, vars: new Map() } as StreamView

for (const text of ['path_end .png .jpg .css', 'hdr(host) -i www.example.com', 'req.hdr(host),lower -m end .example.com', 'src 192.168.0.0/16']) {
  const p = compileAcl(text.split(' '), ctx)
  bench(`acl ${text}`, () => p(s))
}
mergeAcl(ctx, 'is_static_host', compileAcl('hdr_beg(host) -i static.'.split(' '), ctx))
mergeAcl(ctx, 'is_static_path', compileAcl('path_beg /static'.split(' '), ctx))
const cond = compileCondition(['is_static_host', '||', 'is_static_path'], ctx)
bench('if is_static_host || is_static_path', () => cond(s))
const t = compileTemplate('be_%[req.hdr(host),lower,field(1,.)]', ctx)
bench('use_backend be_%[req.hdr(host),lower,field(1,.)]', () => t(s))
