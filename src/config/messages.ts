import type { Where } from '../core/where.ts'

/** Collects what HAProxy would print while loading a configuration: alerts
 *  (fatal), warnings and notices, as bare text lines (the CLI adds the
 *  `[ALERT]    (pid) : config : ` prefix). Owned by one load; not shared. */
export class Diagnostics {
  readonly alerts: string[] = []
  readonly warnings: string[] = []
  readonly notices: string[] = []

  /** Alert located at <where>: `parsing [file:line] : <text>` */
  alert (where: Where, text: string): void { this.alerts.push(located(where, text)) }
  warn (where: Where, text: string): void { this.warnings.push(located(where, text)) }
  notice (where: Where, text: string): void { this.notices.push(located(where, text)) }
  /** Warning without a location (e.g. "missing timeouts", whole-proxy checks) */
  warnText (text: string): void { this.warnings.push(text) }

  get failed (): boolean { return this.alerts.length > 0 }
}

export function located (where: Where, text: string): string {
  return `parsing [${where.file}:${where.line}] : ${text}`
}

/** HAProxy's multi-line "missing timeouts" warning. */
export function missingTimeoutsText (kind: string, name: string): string {
  return `missing timeouts for ${kind} '${name}'.\n` +
    '   | While not properly invalid, you will certainly encounter various problems\n' +
    '   | with such a configuration. To fix this, please ensure that all following\n' +
    "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'."
}
