import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cryptSupported, verifyCrypt } from '../../../src/rules/auth/crypt.ts'
import { shaCrypt } from '../../../src/rules/auth/sha-crypt.ts'
import { md5Crypt } from '../../../src/rules/auth/md5-crypt.ts'

// Hashes made by `openssl passwd -1|-5|-6` and Python's crypt (glibc) for
// custom rounds.
const LONG = 'a longer password with more than sixty-four characters in it, to stretch the blocks!!'
const VECTORS: readonly [string, string][] = [
  ['Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['secret', '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'],
  ['secret', '$5$abc$qsg6EHbUzHQzF1POlD7zUwBINSELQxypPaeDcZe6vH0'],
  ['secret', '$1$xy$mkJt1Ht8AivD6sawHd.Cf1'],
  [LONG, '$6$toolongsaltstrin$iYprL.QnIQd.8k8gCvhY8YQNu2GoAFKnVAo55Dc0GtIWp.zVkgcBzUPHHVRSIlE57lNzbJDGMlSa2MzHMyhME0'],
  [LONG, '$5$x$kIHwaSOLJmw1W4nxR3kJsOwilcqrCxUZJcZ9s5CFHh.'],
  [LONG, '$1$abcdefgh$eBBlO0TDoZsi0VK7xm.ta.'],
  ['pw', '$6$rounds=1000$abc$yxe0KSjmoHd8rpohJgwvF5lnIQ/9t.klcz24a1cca3nWm.PLUmhXgcGgKWCoRFHRHYxXj4SVEtjCnCAwaFY0V0'],
  ['pw', '$5$rounds=12345$abc$aq8sQp8CQOlhB6Q3i7irs24Uxve9g03D2xdk4Wn9q68']
]

test('SHA-256, SHA-512 and MD5 crypt give the hashes of the reference implementations', () => {
  for (const [pw, hash] of VECTORS) {
    const computed = hash.startsWith('$1$') ? md5Crypt(Buffer.from(pw), hash) : shaCrypt(Buffer.from(pw), hash)
    assert.equal(computed, hash)
    assert.equal(verifyCrypt(Buffer.from(pw), hash), true)
    assert.equal(verifyCrypt(Buffer.from(pw + 'x'), hash), false)
  }
})

test('salts are cut to their maximum length, rounds kept in bounds', () => {
  assert.equal(md5Crypt(Buffer.from(LONG), '$1$abcdefghij$'), '$1$abcdefgh$eBBlO0TDoZsi0VK7xm.ta.')
  assert.match(shaCrypt(Buffer.from('pw'), '$5$rounds=10$abc') ?? '', /^\$5\$rounds=1000\$abc\$/)
})

test('only $1$, $5$ and $6$ are supported', () => {
  assert.equal(cryptSupported('$6$abc$def'), true)
  assert.equal(cryptSupported('$y$j9T$abc$def'), false)
  assert.equal(cryptSupported('$2b$10$abcdefghijklmnopqrstuu'), false)
  assert.equal(cryptSupported('plain'), false)
  assert.equal(verifyCrypt(Buffer.from('x'), '$y$j9T$abc$def'), false)
})
