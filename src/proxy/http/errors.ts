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

/** Codes whose built-in answer also closes the client connection. */
const closing = new Set([400, 408])

function build (code: number, reason: string, text: string): Buffer {
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`
  const conn = closing.has(code) ? 'Connection: close\r\n' : ''
  return Buffer.from(`HTTP/1.1 ${code} ${reason}\r\nContent-length: ${Buffer.byteLength(body)}\r\n` +
    `Cache-Control: no-cache\r\n${conn}Content-Type: text/html\r\n\r\n${body}`, 'latin1')
}

const builtIn = new Map<number, Buffer>()
for (const [code, [reason, text]] of Object.entries(bodies)) builtIn.set(Number(code), build(Number(code), reason, text))

/** Reason phrase HAProxy uses for <code> ("" when unknown). */
export function reasonOf (code: number): string {
  return bodies[code]?.[0] ?? ''
}

/** The raw response for <code>: the proxy's errorfile if any, else HAProxy's
 *  built-in page, else a bodiless response with the code. Never allocates for known codes. */
export function errorResponse (code: number, errorfiles: ReadonlyMap<number, Buffer> | null): Buffer {
  const custom = errorfiles?.get(code)
  if (custom !== undefined) return custom
  const b = builtIn.get(code)
  if (b !== undefined) return b
  return Buffer.from(`HTTP/1.1 ${code} ${reasonOf(code)}\r\nContent-length: 0\r\nCache-Control: no-cache\r\n\r\n`, 'latin1')
}

export function hasBuiltInError (code: number): boolean { return builtIn.has(code) }
