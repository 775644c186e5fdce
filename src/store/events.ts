import type { Database, Statement } from './sqlite.ts'
import type { WriteBatcher } from './batch.ts'

export interface AuditEvent { readonly id: number; readonly time: number; readonly user: string; readonly action: string; readonly detail: string }
/** <reason>: the sentence; <code>: its code (vrrp/reason.ts), '' in rows older than codes (their reason reads "priority N") */
export interface VrrpTransition { readonly time: number; readonly instance: string; readonly from: string; readonly to: string; readonly reason: string; readonly code: string }
export interface LogLine { readonly id: number; readonly time: number; readonly line: string }

/** Audit events, VRRP transitions and the bounded log ring: small, frequent
 *  writes, all through the batcher. The ring keeps the newest <ringSize> lines. */
export class Events {
  private readonly insAudit: Statement<[number, string, string, string]>
  private readonly insVrrp: Statement<[number, string, string, string, string, string]>
  private readonly insLog: Statement<[number, string]>
  private readonly trimLog: Statement<[number]>
  private readonly selAudit: Statement<[number]>
  private readonly selVrrp: Statement<[number]>
  private readonly selLog: Statement<[number]>
  private logsSinceTrim = 0

  constructor (db: Database, private readonly batch: WriteBatcher, private readonly ringSize = 5000) {
    this.insAudit = db.prepare('INSERT INTO audit (time, user, action, detail) VALUES (?, ?, ?, ?)')
    this.insVrrp = db.prepare('INSERT INTO vrrp_transitions (time, instance, from_state, to_state, reason, reason_code) VALUES (?, ?, ?, ?, ?, ?)')
    this.insLog = db.prepare('INSERT INTO log_ring (time, line) VALUES (?, ?)')
    this.trimLog = db.prepare('DELETE FROM log_ring WHERE id <= (SELECT max(id) FROM log_ring) - ?')
    this.selAudit = db.prepare('SELECT id, time, user, action, detail FROM audit ORDER BY id DESC LIMIT ?')
    this.selVrrp = db.prepare('SELECT time, instance, from_state AS "from", to_state AS "to", reason, reason_code AS code FROM vrrp_transitions ORDER BY id DESC LIMIT ?')
    this.selLog = db.prepare('SELECT id, time, line FROM log_ring ORDER BY id DESC LIMIT ?')
  }

  audit (user: string, action: string, detail: string, now = Date.now()): void {
    this.batch.add(() => this.insAudit.run(now, user, action, detail))
  }

  vrrp (t: VrrpTransition): void {
    this.batch.add(() => this.insVrrp.run(t.time, t.instance, t.from, t.to, t.reason, t.code))
  }

  log (line: string, now = Date.now()): void {
    this.batch.add(() => this.insLog.run(now, line))
    // trimming once per 500 lines keeps the ring bounded without a DELETE per insert
    if (++this.logsSinceTrim >= 500) {
      this.logsSinceTrim = 0
      this.batch.add(() => this.trimLog.run(this.ringSize))
    }
  }

  recentAudit (limit = 100): AuditEvent[] { return this.selAudit.all(limit) as AuditEvent[] }
  recentVrrp (limit = 100): VrrpTransition[] { return this.selVrrp.all(limit) as VrrpTransition[] }
  recentLogs (limit = 200): LogLine[] { return (this.selLog.all(limit) as LogLine[]).reverse() }
}
