import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileAcl, compileCondition } from '../../../src/rules/compile.ts'
import { RulesError } from '../../../src/rules/types.ts'
import { ctx, request, stream } from './helpers.ts'

const c = ctx()
c.acls.set('a', compileAcl(['hdr(x-a)', '1'], c))
c.acls.set('b', compileAcl(['hdr(x-b)', '1'], c))
const s = (a: boolean, b: boolean) => stream(request('/', [['X-A', a ? '1' : '0'], ['X-B', b ? '1' : '0'], ['Host', 'example.com']]))
const truth = (words: string[]) => [[false, false], [false, true], [true, false], [true, true]].map(([a, b]) => compileCondition(words, c)(s(a, b)))

test('implicit AND, or/||, negation', () => {
  assert.deepEqual(truth(['a', 'b']), [false, false, false, true])
  assert.deepEqual(truth(['a', 'or', 'b']), [false, true, true, true])
  assert.deepEqual(truth(['a', '||', 'b']), [false, true, true, true])
  assert.deepEqual(truth(['!', 'a', '!', 'b']), [true, false, false, false])
  assert.deepEqual(truth(['!a', 'b']), [false, true, false, false])
  assert.deepEqual(truth(['a', 'b', 'or', '!a', '!b']), [true, false, false, true])
})

test('anonymous ACLs in braces', () => {
  assert.deepEqual(truth(['{', 'hdr(Host)', '-i', 'EXAMPLE.com', '}']), [true, true, true, true])
  assert.deepEqual(truth(['a', '{', 'hdr(Host)', 'other', '}']), [false, false, false, false])
  assert.deepEqual(truth(['!', '{', 'hdr(x-a)', '1', '}', 'or', 'b']), [true, true, false, true])
})

test('errors', () => {
  assert.throws(() => compileCondition(['foo'], c), /no such ACL : 'foo'/)
  assert.throws(() => compileCondition([], c), RulesError)
  assert.throws(() => compileCondition(['a', 'or'], c), RulesError)
  assert.throws(() => compileCondition(['or', 'a'], c), RulesError)
  assert.throws(() => compileCondition(['{', 'hdr(x)', 'y'], c), /missing closing '}'/)
  assert.throws(() => compileCondition(['a', '!'], c), RulesError)
})
