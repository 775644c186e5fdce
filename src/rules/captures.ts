/** Capture slots of a frontend (HAProxy's req_cap/res_cap): `capture
 *  request|response header`, `declare capture` and `http-request capture …
 *  len` each add one, numbered from 0 in declaration order. The log's %hr/%hs
 *  show them; `http-request|response capture … id <n>` and capture.req.hdr(n)
 *  use them by number. */

/** What rules see of a proxy's slots while it is being compiled. */
export interface CaptureSlots {
  /** adds a request slot of <len> bytes, returns its id */
  addRequest (len: number): number
  /** slots declared so far in one direction */
  count (response: boolean): number
}

/** A stream whose capture slots rules can fill and read (the proxy's streams). */
export interface CaptureHolder {
  /** stores <value> in slot <id> (cut to the slot's length); ignored when the frontend has no such slot */
  capture (response: boolean, id: number, value: string): void
  /** the slot's content, undefined when empty or absent */
  captured (response: boolean, id: number): string | undefined
}
