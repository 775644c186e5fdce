/** The server_name (SNI) of a TLS ClientHello, read from the first bytes a
 *  client sends (RFC 8446 §4.1.2, RFC 6066 §3), without decrypting anything. */

/** 'more' while <buf> holds only the start of the first record; null when it is
 *  not a ClientHello or carries no host name. */
export function sniOf (buf: Buffer): string | null | 'more' {
  if (buf.length < 5) return 'more'
  if (buf[0] !== 22 || buf[1] !== 3) return null                       // handshake record, TLS 1.x
  const recordLen = buf.readUInt16BE(3)
  if (buf.length < 5 + recordLen) return 'more'
  const hs = buf.subarray(5, 5 + recordLen)
  if (hs[0] !== 1 || hs.length < 4) return null                        // client_hello
  let p = 4 + 2 + 32                                                   // type+length, version, random
  if (p >= hs.length) return null
  p += 1 + hs[p]!                                                      // session id
  if (p + 2 > hs.length) return null
  p += 2 + hs.readUInt16BE(p)                                          // cipher suites
  if (p + 1 > hs.length) return null
  p += 1 + hs[p]!                                                      // compression methods
  if (p + 2 > hs.length) return null
  const extEnd = Math.min(hs.length, p + 2 + hs.readUInt16BE(p))
  p += 2
  while (p + 4 <= extEnd) {
    const type = hs.readUInt16BE(p)
    const len = hs.readUInt16BE(p + 2)
    p += 4
    if (type === 0 && p + 5 <= extEnd) {                               // server_name list
      const nameType = hs[p + 2]
      const nameLen = hs.readUInt16BE(p + 3)
      if (nameType !== 0 || p + 5 + nameLen > extEnd) return null
      return hs.toString('latin1', p + 5, p + 5 + nameLen)
    }
    p += len
  }
  return null
}
