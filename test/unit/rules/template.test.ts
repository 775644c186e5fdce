import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileTemplate } from '../../../src/rules/compile.ts'
import { RulesError } from '../../../src/rules/types.ts'
import { ctx, request, stream } from './helpers.ts'

const s = stream(request('/Path/X?Q=1', [['Host', 'WWW.Site.com']]))
const t = (text: string) => compileTemplate(text, ctx())(s)

test('seed template: host and uri lowered, concatenated', () => {
  assert.equal(t('%[req.hdr(Host),lower]%[req.uri,lower]'), 'www.site.com/path/x?q=1')
})

test('literal text, %%, quoting, missing samples, types', () => {
  assert.equal(t('plain text'), 'plain text')
  assert.equal(t(''), '')
  assert.equal(t('a %[path] b'), 'a /Path/X b')
  assert.equal(t('100%%'), '100%')
  assert.equal(t('%{+Q}[path]'), '"/Path/X"')
  assert.equal(t('[%[hdr(missing)]]'), '[]')
  assert.equal(t('%[hdr_cnt(host)]-%[always_true]'), '1-1')
})

test('errors', () => {
  assert.throws(() => t('%[path'), /missing '\]'/)
  assert.throws(() => t('%ci'), RulesError)
  assert.throws(() => t('%[nope]'), /unknown fetch method 'nope'/)
  assert.throws(() => t('%[str(a,b)]'), /at most 1 argument/)
})
