import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lexLine, type LexEnv } from '../../../src/config/lexer.ts'

function env (vars: Record<string, string>, unknown: string[] = []): LexEnv {
  return { get: n => vars[n], unknown: n => { unknown.push(n) } }
}
const words = (line: string, vars: Record<string, string> = {}): string[] => {
  const r = lexLine(line, env(vars))
  assert.ok('words' in r, JSON.stringify(r))
  return r.words
}

test('splits on spaces and tabs, drops comments outside quotes', () => {
  assert.deepEqual(words('  server\ts1  127.0.0.1:80 # comment'), ['server', 's1', '127.0.0.1:80'])
  assert.deepEqual(words('acl a hdr(x) "a # b"'), ['acl', 'a', 'hdr(x)', 'a # b'])
  assert.deepEqual(words('# whole line'), [])
  assert.deepEqual(words('maxconn 10#no space'), ['maxconn', '10'])
})

test('backslash escapes outside single quotes', () => {
  assert.deepEqual(words('a\\ b c\\#d \\\\ \\"q\\\''), ['a b', 'c#d', '\\', '"q\''])
  assert.deepEqual(words('x\\r\\n\\t\\x41\\x4a'), ['x\r\n\tAJ'])
  assert.deepEqual(words('"in \\"dq\\" \\x41"'), ['in "dq" A'])
  assert.deepEqual(words('keep\\q'), ['keep\\q'])
})

test('single quotes are literal, double quotes expand variables', () => {
  assert.deepEqual(words("'${HOME} \\n'", { HOME: '/h' }), ['${HOME} \\n'])
  assert.deepEqual(words('"${HOME}/x" ${HOME}', { HOME: '/h' }), ['/h/x', '${HOME}'])
  assert.deepEqual(words('"fd@${FD}"', { FD: '3' }), ['fd@3'])
  assert.deepEqual(words('"${NOPE-dflt}" "${SET-dflt}"', { SET: 'v' }), ['dflt', 'v'])
  assert.deepEqual(words('pre"mid"\'post\''), ['premidpost'])
})

test('unknown variables expand to empty and are reported; empty quoted words are kept', () => {
  const unknown: string[] = []
  const r = lexLine('a "${NOPE}" "" b', env({}, unknown))
  assert.ok('words' in r)
  assert.deepEqual(r.words, ['a', '', '', 'b'])
  assert.deepEqual(unknown, ['NOPE'])
})

test('unterminated quotes and variables are errors', () => {
  assert.deepEqual(lexLine('log-tag "abc', env({})), { error: 'unmatched quote' })
  assert.deepEqual(lexLine("x 'abc", env({})), { error: 'unmatched quote' })
  assert.ok('error' in lexLine('x "${ABC"', env({})))
})
