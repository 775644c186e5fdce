// The config editor's highlighter (pure: text → HTML): what each kind of word
// becomes, escaping, error lines, and its cost on a 2,000-line configuration.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { highlight, highlightLine, aclNames } from '../../../src/ui/app/highlight.ts'
import { planeConfig } from './harness.ts'

test('sections, names, keywords, comments, strings, samples, ACL names and conditions', () => {
  const acls = new Set(['is_api'])
  assert.equal(highlightLine('frontend web # public side', acls),
    '<span class="hl-sec">frontend</span> <span class="hl-name">web</span> <span class="hl-com"># public side</span>')
  assert.equal(highlightLine('  acl is_api path_beg /api', acls),
    '  <span class="hl-kw">acl</span> <span class="hl-acl">is_api</span> path_beg /api')
  assert.equal(highlightLine('  use_backend api if !is_api', acls),
    '  <span class="hl-kw">use_backend</span> api <span class="hl-cond">if</span> !<span class="hl-acl">is_api</span>')
  assert.equal(highlightLine('  http-request set-header X-Id "%[src],%[req.hdr(host),lower]" # id', acls),
    '  <span class="hl-kw">http-request</span> set-header X-Id <span class="hl-str">"<span class="hl-smp">%[src]</span>,<span class="hl-smp">%[req.hdr(host),lower]</span>"</span> <span class="hl-com"># id</span>')
  assert.equal(highlightLine('  use_backend %[req.hdr(host),lower,map_dom(/etc/hosts.map,be_default)]', acls),
    '  <span class="hl-kw">use_backend</span> <span class="hl-smp">%[req.hdr(host),lower,map_dom(/etc/hosts.map,be_default)]</span>')
  assert.equal(highlightLine('  http-request set-var(txn.k) %[req.hdr(x),map(/m,%[src])] if is_api', acls),
    '  <span class="hl-kw">http-request</span> set-var(txn.k) <span class="hl-smp">%[req.hdr(x),map(/m,%[src])]</span> <span class="hl-cond">if</span> <span class="hl-acl">is_api</span>')
  assert.equal(highlightLine("  errorfile 503 'a # b'", acls), '  <span class="hl-kw">errorfile</span> 503 <span class="hl-str">\'a # b\'</span>')
  assert.equal(highlightLine('  http-request deny if { path_beg /<x>&y }', acls),
    '  <span class="hl-kw">http-request</span> deny <span class="hl-cond">if</span> { path_beg /&lt;x&gt;&amp;y }')
  assert.equal(highlightLine('  log-format foo\\ bar', acls), '  <span class="hl-kw">log-format</span> foo\\ bar')
})

test('ACL names come from the whole text; rejected lines are underlined; the lines are kept', () => {
  const text = planeConfig(8080, [9001, 9002])
  assert.deepEqual([...aclNames(text)], ['is_api'])
  const bogus = text.split('\n').indexOf('  default_backend farm') + 1
  const html = highlight(text, new Set([bogus]))
  const lines = html.split('</div>').slice(0, -1).map(l => l + '</div>')
  assert.equal(lines.length, text.split('\n').length)
  assert.equal(lines[bogus - 1], `<div class="hl-err" data-line="${bogus}">  <span class="hl-kw">default_backend</span> farm</div>`)
  const plain = lines.map(l => l.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'))
  assert.deepEqual(plain, text.split('\n'), 'the text under the spans is the text itself')
})

test('a 2,000-line configuration is highlighted in a few milliseconds', t => {
  const block = planeConfig(8080, [9001, 9002]).split('\n').slice(7)
  const lines: string[] = ['global', '  maxconn 200']
  for (let i = 0; lines.length < 2000; i++) lines.push(...block.map(l => l.replace(/\b(web|farm|api|is_api)\b/g, `$1_${i}`)), '  http-request set-header X-Host "%[req.hdr(host),lower]" # tag')
  const text = lines.slice(0, 2000).join('\n')
  highlight(text)                          // warm-up (JIT)
  const runs = 5
  const t0 = performance.now()
  for (let i = 0; i < runs; i++) highlight(text)
  const ms = (performance.now() - t0) / runs
  t.diagnostic(`${ms.toFixed(1)} ms per 2,000 lines`)
  // a frame is 16 ms; the bound leaves room for a machine shared with other tests
  assert.ok(ms < 40, `${ms.toFixed(1)} ms per 2,000 lines`)
})
