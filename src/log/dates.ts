/** Date texts of HAProxy logs, from wall-clock milliseconds. Local time is the
 *  process time zone (TZ), as HAProxy's localtime(). Every format caches the
 *  text of the current second, so a line costs one concatenation. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "000".."999" and "00".."99", built once */
const PAD3: string[] = []
const PAD2: string[] = []
for (let i = 0; i < 1000; i++) PAD3.push(String(i).padStart(3, '0'))
for (let i = 0; i < 100; i++) PAD2.push(PAD3[i].slice(1))

/** "+hhmm" / "+hh:mm" from a getTimezoneOffset() value (minutes west of UTC) */
function offsetText (tzOffsetMin: number, colon: boolean): string {
  const east = -tzOffsetMin
  const abs = Math.abs(east)
  return (east < 0 ? '-' : '+') + PAD2[Math.floor(abs / 60)] + (colon ? ':' : '') + PAD2[abs % 60]
}

/** One cached "text of a second" per format */
class SecondCache {
  sec = NaN
  text = ''
  constructor (private readonly build: (d: Date) => string) {}
  get (sec: number): string {
    if (sec !== this.sec) { this.sec = sec; this.text = this.build(new Date(sec * 1000)) }
    return this.text
  }
}

const localLog = new SecondCache(d => PAD2[d.getDate()] + '/' + MONTHS[d.getMonth()] + '/' + d.getFullYear() + ':' +
  PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()])
const gmtLog = new SecondCache(d => PAD2[d.getUTCDate()] + '/' + MONTHS[d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' +
  PAD2[d.getUTCHours()] + ':' + PAD2[d.getUTCMinutes()] + ':' + PAD2[d.getUTCSeconds()] + ' +0000')
const localOffsetLog = new SecondCache(d => localLog.get(d.getTime() / 1000) + ' ' + offsetText(d.getTimezoneOffset(), false))
const legacySyslog = new SecondCache(d => MONTHS[d.getMonth()] + ' ' + String(d.getDate()).padStart(2, ' ') + ' ' +
  PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()])
const isoPrefix = new SecondCache(d => d.getFullYear() + '-' + PAD2[d.getMonth() + 1] + '-' + PAD2[d.getDate()] + 'T' +
  PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()])
const isoOffset = new SecondCache(d => offsetText(d.getTimezoneOffset(), true))

/** %t / %tr: "21/Nov/2026:05:40:01.123" (local time) */
export function logDate (ms: number): string {
  const sec = Math.floor(ms / 1000)
  return localLog.get(sec) + '.' + PAD3[Math.floor(ms - sec * 1000)]
}

/** %T / %trg: "21/Nov/2026:05:40:01 +0000" (GMT) */
export function gmtDate (ms: number): string { return gmtLog.get(Math.floor(ms / 1000)) }

/** %Tl / %trl: "21/Nov/2026:06:40:01 +0100" (local time with its offset) */
export function localDate (ms: number): string { return localOffsetLog.get(Math.floor(ms / 1000)) }

/** rfc3164 header time: "Nov  1 05:40:01" (day padded with a space) */
export function legacySyslogDate (ms: number): string { return legacySyslog.get(Math.floor(ms / 1000)) }

/** rfc5424/timed/iso header time: "2026-11-21T05:40:01.123456+00:00" (local time,
 *  microseconds from the fractional part of <ms>) */
export function isoDate (ms: number): string {
  const sec = Math.floor(ms / 1000)
  // rounded: ms fractions such as .825 are not exact in binary
  const us = Math.min(Math.round((ms - sec * 1000) * 1000), 999999)
  return isoPrefix.get(sec) + '.' + PAD3[Math.floor(us / 1000)] + PAD3[us % 1000] + isoOffset.get(sec)
}

/** %ms: milliseconds of <ms>, 3 digits */
export function millisText (ms: number): string { return PAD3[Math.floor(ms - Math.floor(ms / 1000) * 1000)] }
