import type { ConvDef, Sample } from '../sample.ts'
import { leadingInt } from '../sample.ts'

/** ltime/utime(<format>[,<offset>]): strftime() of an epoch in seconds. */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

interface Parts { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number; yd: number; offMin: number }

function partsOf (date: Date, utc: boolean): Parts {
  const y = utc ? date.getUTCFullYear() : date.getFullYear()
  const mo = utc ? date.getUTCMonth() : date.getMonth()
  const d = utc ? date.getUTCDate() : date.getDate()
  const yd = Math.round((Date.UTC(y, mo, d) - Date.UTC(y, 0, 1)) / 86400000)
  return {
    y, mo, d, yd,
    h: utc ? date.getUTCHours() : date.getHours(),
    mi: utc ? date.getUTCMinutes() : date.getMinutes(),
    s: utc ? date.getUTCSeconds() : date.getSeconds(),
    wd: utc ? date.getUTCDay() : date.getDay(),
    offMin: utc ? 0 : -date.getTimezoneOffset()
  }
}

const p2 = (n: number) => String(n).padStart(2, '0')

/** One strftime directive; unknown ones are kept verbatim. */
function directive (c: string, t: Parts, epoch: number): string {
  switch (c) {
    case 'Y': return String(t.y)
    case 'y': return p2(t.y % 100)
    case 'm': return p2(t.mo + 1)
    case 'd': return p2(t.d)
    case 'e': return String(t.d).padStart(2, ' ')
    case 'H': return p2(t.h)
    case 'I': return p2(t.h % 12 === 0 ? 12 : t.h % 12)
    case 'M': return p2(t.mi)
    case 'S': return p2(t.s)
    case 'p': return t.h < 12 ? 'AM' : 'PM'
    case 'j': return String(t.yd + 1).padStart(3, '0')
    case 'a': return DAYS[t.wd].slice(0, 3)
    case 'A': return DAYS[t.wd]
    case 'b': case 'h': return MONTHS[t.mo].slice(0, 3)
    case 'B': return MONTHS[t.mo]
    case 'u': return String(t.wd === 0 ? 7 : t.wd)
    case 'w': return String(t.wd)
    case 's': return String(epoch)
    case 'z': { const a = Math.abs(t.offMin); return (t.offMin < 0 ? '-' : '+') + p2(Math.floor(a / 60)) + p2(a % 60) }
    case 'T': return `${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`
    case 'R': return `${p2(t.h)}:${p2(t.mi)}`
    case 'D': return `${p2(t.mo + 1)}/${p2(t.d)}/${p2(t.y % 100)}`
    case 'F': return `${t.y}-${p2(t.mo + 1)}-${p2(t.d)}`
    case 'n': return '\n'
    case 't': return '\t'
    case '%': return '%'
    default: return '%' + c
  }
}

export function strftime (format: string, epoch: number, utc: boolean): string {
  const t = partsOf(new Date(epoch * 1000), utc)
  let out = ''
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '%' && i + 1 < format.length) out += directive(format[++i], t, epoch)
    else out += format[i]
  }
  return out
}

const timeConv = (utc: boolean): ConvDef => ({
  args: [{ kind: 'str' }, { kind: 'int', optional: true }], in: 'int', out: 'str',
  compile: (args) => {
    const format = args[0]
    const offset = args[1] === undefined ? 0 : leadingInt(args[1])
    return (v: Sample) => strftime(format, (v as number) + offset, utc)
  }
})

export const TIME_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  ltime: timeConv(false),
  utime: timeConv(true)
}
