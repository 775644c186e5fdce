/** HAProxy time and size values. Both return a number or an error text in
 *  HAProxy's words ("unexpected character 'q'"), which callers complete with
 *  the keyword ("... in 'timeout client'"). */

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 }

/** Largest time HAProxy accepts (2^31-1 ms, about 24.8 days). */
export const MAX_TIME_MS = 2147483647

/** <text> like "5s", "250", "1h" → milliseconds (no unit = <defaultUnit>). */
export function parseTime (text: string, defaultUnit: 'ms' | 's' = 'ms'): number | { error: string } {
  const m = /^(\d+)(.*)$/.exec(text)
  if (m === null) return { error: text === '' ? 'missing value' : `unexpected character '${text[0]}'` }
  const unitText = m[2] as string
  const unitLen = unitText.startsWith('us') || unitText.startsWith('ms') ? 2 : 'smhd'.includes(unitText[0] ?? '') ? 1 : 0
  if (unitText.length > unitLen || (unitText !== '' && unitLen === 0)) return { error: `unexpected character '${unitText[unitLen] ?? unitText[0]}'` }
  const unit = TIME_UNITS[unitText === '' ? defaultUnit : unitText] as number
  const ms = Number(m[1]) * unit
  if (ms > MAX_TIME_MS) return { error: `timer overflow in argument '${text}' (maximum value is 2147483647 ms or ~24.8 days)` }
  return Math.ceil(ms)
}

/** <text> like "16384", "16k", "1m" → bytes. */
export function parseSize (text: string): number | { error: string } {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text)
  if (m === null) return { error: text === '' ? 'missing value' : `invalid size '${text}'` }
  return Number(m[1]) * (SIZE_UNITS[(m[2] as string).toLowerCase()] as number)
}

/** Strict unsigned integer, or null. */
export function parseUint (text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null
  const v = Number(text)
  return Number.isSafeInteger(v) ? v : null
}
