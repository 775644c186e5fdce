/** Reads what a TLS client sends first (record header + ClientHello) without
 *  decrypting anything, for routing passed-through TLS by SNI (HAProxy
 *  req.ssl_* fetches). Only SSLv3+ record framing is understood. */

export interface HelloInfo {
  /** record-layer version: major << 16 | minor (HAProxy req.ssl_ver: TLS 1.0 = 3.1 = 0x30001) */
  readonly recordVersion: number
  /** handshake message type of the first message (1 = ClientHello) */
  readonly handshakeType: number
  /** host_name of the server_name extension, lower-case as sent; null when absent or not a ClientHello */
  readonly sni: string | null
  /** ALPN protocol names offered */
  readonly alpn: readonly string[]
  /** extensions present: session ticket (35), supported groups (10) */
  readonly sessionTicketExt: boolean
  readonly ellipticCurvesExt: boolean
}

const RECORD_HANDSHAKE = 0x16
const HS_CLIENT_HELLO = 1
const EXT_SERVER_NAME = 0
const EXT_SUPPORTED_GROUPS = 10
const EXT_ALPN = 16
const EXT_SESSION_TICKET = 35

/** Parses the first TLS record of <data>; null when the data is not (yet) a
 *  complete SSLv3+ handshake record. A malformed ClientHello body gives the
 *  header fields with sni null. */
export function parseClientHello (data: Buffer): HelloInfo | null {
  if (data.length < 6 || data[0] !== RECORD_HANDSHAKE || (data[1] as number) < 3) return null
  const recLen = data.readUInt16BE(3)
  if (data.length < 5 + recLen) return null
  const info = { recordVersion: ((data[1] as number) << 16) | (data[2] as number), handshakeType: data[5] as number,
    sni: null as string | null, alpn: [] as string[], sessionTicketExt: false, ellipticCurvesExt: false }
  if (info.handshakeType !== HS_CLIENT_HELLO) return info
  const end = 5 + recLen
  // handshake header (4), client_version (2), random (32)
  let p = 5 + 4 + 2 + 32
  if (p + 1 > end) return info
  p += 1 + (data[p] as number) // session id
  if (p + 2 > end) return info
  p += 2 + data.readUInt16BE(p) // cipher suites
  if (p + 1 > end) return info
  p += 1 + (data[p] as number) // compression methods
  if (p + 2 > end) return info
  const extEnd = Math.min(end, p + 2 + data.readUInt16BE(p))
  p += 2
  while (p + 4 <= extEnd) {
    const type = data.readUInt16BE(p)
    const len = data.readUInt16BE(p + 2)
    const body = p + 4
    if (body + len > extEnd) break
    if (type === EXT_SERVER_NAME) info.sni = serverName(data, body, body + len)
    else if (type === EXT_ALPN) info.alpn = alpnNames(data, body, body + len)
    else if (type === EXT_SESSION_TICKET) info.sessionTicketExt = true
    else if (type === EXT_SUPPORTED_GROUPS) info.ellipticCurvesExt = true
    p = body + len
  }
  return info
}

/** server_name list: the first host_name (type 0) entry. */
function serverName (d: Buffer, p: number, end: number): string | null {
  if (p + 2 > end) return null
  p += 2
  while (p + 3 <= end) {
    const type = d[p] as number
    const len = d.readUInt16BE(p + 1)
    if (p + 3 + len > end) return null
    if (type === 0) return d.toString('latin1', p + 3, p + 3 + len)
    p += 3 + len
  }
  return null
}

function alpnNames (d: Buffer, p: number, end: number): string[] {
  const out: string[] = []
  if (p + 2 > end) return out
  p += 2
  while (p < end) {
    const len = d[p] as number
    if (p + 1 + len > end) break
    out.push(d.toString('latin1', p + 1, p + 1 + len))
    p += 1 + len
  }
  return out
}

let lastData: Buffer | null = null
let lastInfo: HelloInfo | null = null

/** parseClientHello with a one-entry memo: the several req.ssl_* fetches of
 *  one rule set read the same buffer. */
export function clientHelloOf (data: Buffer): HelloInfo | null {
  if (data !== lastData) { lastData = data; lastInfo = parseClientHello(data) }
  return lastInfo
}
