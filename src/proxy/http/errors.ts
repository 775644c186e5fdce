/** HAProxy 2.6's built-in error responses, byte for byte (status line, headers,
 *  body), so clients and scripts see the same answers as behind HAProxy.
 *  `errorfile` replaces one of them per proxy (config/ loads the file). */

const bodies: Record<number, [string, string]> = {
  200: ['OK', 'Service ready.'],
  400: ['Bad request', 'Your browser sent an invalid request.'],
  401: ['Unauthorized', 'You need a valid user and password to access this content.'],
  403: ['Forbidden', 'Request forbidden by administrative rules.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: ['Method Not Allowed', 'A request was made of a resource using a request method not supported by that resource'],
  407: ['Unauthorized', 'You need a valid user and password to access this content.'],
  408: ['Request Time-out', "Your browser didn't send a complete request in time."],
  410: ['Gone', 'The resource is no longer available and will not be available again.'],
  413: ['Payload Too Large', 'The request entity exceeds the maximum allowed.'],
  421: ['Misdirected Request', 'Request sent to a non-authoritative server.'],
  422: ['Unprocessable Content', 'The server cannot process the contained instructions.'],
  425: ['Too Early', 'Your browser sent early data.'],
  429: ['Too Many Requests', 'You have sent too many requests in a given amount of time.'],
  500: ['Internal Server Error', 'An internal server error occurred.'],
  501: ['Not Implemented', '.The server does not support the functionality required to fulfill the request.'],
  502: ['Bad Gateway', 'The server returned an invalid or incomplete response.'],
  503: ['Service Unavailable', 'No server is available to handle this request.'],
  504: ['Gateway Time-out', "The server didn't respond in time."]
}

/** Errors raised while parsing the request (400, 408) leave HAProxy as
 *  written, with "Connection: close"; every other answer goes through its
 *  HTTP layer, which writes header names in lower case and drops Connection. */
const rawCodes = new Set([400, 408])

function build (code: number, reason: string, text: string): Buffer {
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`
  const raw = Buffer.from(`HTTP/1.1 ${code} ${reason}\r\nContent-length: ${Buffer.byteLength(body)}\r\n` +
    `Cache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n${body}`, 'latin1')
  return rawCodes.has(code) ? raw : throughHttpLayer(raw)
}

/** Rewrites a raw response the way HAProxy's HTTP layer emits it: header
 *  names lower-cased, Connection removed, status line and body untouched. */
function throughHttpLayer (raw: Buffer): Buffer {
  const text = raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return raw
  const lines = text.slice(0, end).split('\r\n')
  const out = [lines[0]]
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(':')
    if (colon <= 0) continue
    const name = l.slice(0, colon).toLowerCase()
    if (name === 'connection') continue
    out.push(name + ': ' + l.slice(colon + 1).trim())
  }
  return Buffer.from(out.join('\r\n') + text.slice(end), 'latin1')
}

const builtIn = new Map<number, Buffer>()
for (const [code, [reason, text]] of Object.entries(bodies)) builtIn.set(Number(code), build(Number(code), reason, text))
const normalisedFiles = new WeakMap<Buffer, Buffer>()
const viaHttpLayer = new WeakMap<Buffer, Buffer>()

/** Reason phrase HAProxy uses for <code> ("" when unknown). */
export function reasonOf (code: number): string {
  return bodies[code]?.[0] ?? ''
}

/** The raw response for <code>: the proxy's errorfile if any, else HAProxy's
 *  built-in page, else a bodiless response with the code. Never allocates for known codes. */
export function errorResponse (code: number, errorfiles: ReadonlyMap<number, Buffer> | null): Buffer {
  const custom = errorfiles?.get(code)
  if (custom !== undefined) {
    let n = normalisedFiles.get(custom)
    if (n === undefined) { n = rawCodes.has(code) ? custom : throughHttpLayer(custom); normalisedFiles.set(custom, n) }
    return n
  }
  const b = builtIn.get(code)
  if (b !== undefined) return b
  return Buffer.from(`HTTP/1.1 ${code} ${reasonOf(code)}\r\ncontent-length: 0\r\ncache-control: no-cache\r\n\r\n`, 'latin1')
}

/** The answer to a request refused once HAProxy's stream has it (a body found
 *  invalid after the head was read apart): its HTTP layer writes even a 400. */
export function streamErrorResponse (code: number, errorfiles: ReadonlyMap<number, Buffer> | null): Buffer {
  const raw = errorResponse(code, errorfiles)
  if (!rawCodes.has(code)) return raw
  let n = viaHttpLayer.get(raw)
  if (n === undefined) { n = throughHttpLayer(raw); viaHttpLayer.set(raw, n) }
  return n
}
