import type { HttpHead } from '../../core/http-head.ts'

/** Header value iteration with HAProxy's two views of a header: `hdr()`
 *  splits each line on commas outside double quotes (trimming blanks),
 *  `fhdr()` sees full lines. <lname> '' means every header. */

/** Calls <visit> with each comma-separated value of header <lname>, in order,
 *  until it returns true; returns whether one did. */
export function someHeaderValue (h: HttpHead, lname: string, visit: (v: string) => boolean): boolean {
  for (let i = 0; i < h.lnames.length; i++) {
    if (lname !== '' && h.lnames[i] !== lname) continue
    const line = h.values[i]
    let start = 0
    let quoted = false
    for (let j = 0; j <= line.length; j++) {
      const c = line.charCodeAt(j)
      if (c === 34 /* " */) quoted = !quoted
      else if (j === line.length || (c === 44 /* , */ && !quoted)) {
        if (visit(line.slice(start, j).trim())) return true
        start = j + 1
      }
    }
  }
  return false
}

export function someHeaderLine (h: HttpHead, lname: string, visit: (v: string) => boolean): boolean {
  for (let i = 0; i < h.lnames.length; i++) {
    if ((lname === '' || h.lnames[i] === lname) && visit(h.values[i])) return true
  }
  return false
}

/** The <occ>th comma-separated value (1-based; negative counts from the last). */
export function headerValueAt (h: HttpHead, lname: string, occ: number): string | undefined {
  if (occ === 0) return undefined
  const all: string[] = []
  // WHY: values must be counted from the end for occ < 0; headers with several
  // values are rare enough that collecting them is cheaper than two passes.
  someHeaderValue(h, lname, v => { all.push(v); return occ > 0 && all.length === occ })
  const i = occ > 0 ? occ - 1 : all.length + occ
  return i >= 0 && i < all.length ? all[i] : undefined
}

export function headerLineAt (h: HttpHead, lname: string, occ: number): string | undefined {
  if (occ === 0) return undefined
  let seen = 0
  if (occ > 0) {
    for (let i = 0; i < h.lnames.length; i++) if ((lname === '' || h.lnames[i] === lname) && ++seen === occ) return h.values[i]
  } else {
    for (let i = h.lnames.length - 1; i >= 0; i--) if ((lname === '' || h.lnames[i] === lname) && ++seen === -occ) return h.values[i]
  }
  return undefined
}

export function countHeaderValues (h: HttpHead, lname: string): number {
  let n = 0
  someHeaderValue(h, lname, () => { n++; return false })
  return n
}

export function countHeaderLines (h: HttpHead, lname: string): number {
  let n = 0
  for (let i = 0; i < h.lnames.length; i++) if (lname === '' || h.lnames[i] === lname) n++
  return n
}

/** Value of cookie <name> in the Cookie header(s) (request: `Cookie`,
 *  `name=value; name2=value2`) or Set-Cookie lines (response: the first
 *  pair of each line). Visits each occurrence in order. */
export function someCookie (h: HttpHead, response: boolean, name: string, visit: (v: string) => boolean): boolean {
  const hname = response ? 'set-cookie' : 'cookie'
  for (let i = 0; i < h.lnames.length; i++) {
    if (h.lnames[i] !== hname) continue
    const pairs = response ? [h.values[i].split(';', 1)[0]] : h.values[i].split(/[;,]/)
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      if (eq < 0) continue
      const k = pair.slice(0, eq).trim()
      if ((name === '' || k === name) && visit(pair.slice(eq + 1).trim())) return true
    }
  }
  return false
}
