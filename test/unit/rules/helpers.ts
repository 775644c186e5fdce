import type { HttpHead } from '../../../src/core/http-head.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'
import type { ActionTarget, RulesCtx } from '../../../src/rules/types.ts'
import { Phase } from '../../../src/rules/types.ts'
import { MapStore } from '../../../src/rules/maps.ts'

/** Builders for rules tests: heads and streams as plain objects. */
export function head (first: { method?: string; uri?: string; version?: string; status?: number; reason?: string }, headers: [string, string][] = []): HttpHead {
  return {
    method: first.method ?? '',
    uri: first.uri ?? '',
    version: first.version ?? 'HTTP/1.1',
    status: first.status ?? 0,
    reason: first.reason ?? '',
    names: headers.map(h => h[0]),
    lnames: headers.map(h => h[0].toLowerCase()),
    values: headers.map(h => h[1])
  }
}

export function request (uri: string, headers: [string, string][] = [], method = 'GET'): HttpHead {
  return head({ method, uri }, headers)
}

export function stream (req: HttpHead | null, res: HttpHead | null = null, over: Partial<StreamView> = {}): StreamView {
  return { srcAddr: '192.168.1.10', srcPort: 40000, dstAddr: '10.0.0.1', dstPort: 80, feName: 'fe', beName: '', req, res, vars: new Map(), ...over }
}

/** An ActionTarget acting on the request (or on the response when <res> is given). */
export function target (req: HttpHead, res: HttpHead | null = null): ActionTarget {
  return { ...stream(req, res), head: res ?? req }
}

export function ctx (phase: number = Phase.HttpReq, baseDir = '/tmp'): RulesCtx & { warnings: string[] } {
  const warnings: string[] = []
  return { acls: new Map(), baseDir, phase, warn: m => { warnings.push(m) }, maps: new MapStore(), warnings }
}
