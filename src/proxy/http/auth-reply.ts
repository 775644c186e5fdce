import { errorResponse } from './errors.ts'

/** `http-request auth`: the proxy's 401 page (built in or its errorfile)
 *  with the Basic challenge as its last header, as HAProxy 2.6 sends it. */
export function authReply (realm: string, errorfiles: ReadonlyMap<number, Buffer>): Buffer {
  const raw = errorResponse(401, errorfiles)
  const end = raw.indexOf('\r\n\r\n')
  return Buffer.concat([raw.subarray(0, end), Buffer.from(`\r\nwww-authenticate: Basic realm="${realm}"`, 'latin1'), raw.subarray(end)])
}
