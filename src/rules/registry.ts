import type { ConvDef, FetchDef } from './sample.ts'
import { CONN_FETCHES } from './fetches/conn.ts'
import { HTTP_REQ_FETCHES } from './fetches/http-req.ts'
import { HTTP_RES_FETCHES } from './fetches/http-res.ts'
import { MISC_FETCHES } from './fetches/misc.ts'
import { STICK_FETCHES } from './fetches/stick.ts'
import { PAYLOAD_FETCHES } from './fetches/payload.ts'
import { BACKEND_STATE_FETCHES } from './fetches/backend-state.ts'
import { SSL_FETCHES } from './fetches/ssl.ts'
import { AUTH_FETCHES } from './fetches/auth.ts'
import { CAPTURE_FETCHES } from './fetches/capture.ts'
import { STRING_CONVERTERS } from './converters/string.ts'
import { ARITH_CONVERTERS } from './converters/arith.ts'
import { HASH_CONVERTERS } from './converters/hash.ts'
import { ENCODE_CONVERTERS } from './converters/encode.ts'
import { TIME_CONVERTERS } from './converters/time.ts'
import { NET_CONVERTERS } from './converters/net.ts'
import { MAP_CONVERTERS } from './converters/map.ts'
import { STICK_CONVERTERS } from './converters/stick.ts'

/** Every sample fetch and converter keyword, from the per-family tables.
 *  Looked up only at config time. */
export const FETCHES: ReadonlyMap<string, FetchDef> = new Map(Object.entries({
  ...CONN_FETCHES, ...HTTP_REQ_FETCHES, ...HTTP_RES_FETCHES, ...MISC_FETCHES, ...STICK_FETCHES, ...PAYLOAD_FETCHES, ...BACKEND_STATE_FETCHES,
  ...SSL_FETCHES, ...AUTH_FETCHES, ...CAPTURE_FETCHES
}))

export const CONVERTERS: ReadonlyMap<string, ConvDef> = new Map(Object.entries({
  ...STRING_CONVERTERS, ...ARITH_CONVERTERS, ...HASH_CONVERTERS, ...ENCODE_CONVERTERS,
  ...TIME_CONVERTERS, ...NET_CONVERTERS, ...MAP_CONVERTERS, ...STICK_CONVERTERS
}))
