import type { Engine } from '../proxy/engine.ts'
import type { FrontendRuntime } from '../proxy/frontend-runtime.ts'
import { BackendRuntime, Assign } from '../proxy/backend-runtime.ts'
import type { HttpRule, ActionTarget } from '../rules/types.ts'
import type { HttpHead } from '../core/http-head.ts'
import { whereText } from '../core/where.ts'
import { chooseBackend } from '../proxy/switching.ts'

export interface ExplainRequest {
  readonly method: string
  /** origin-form ("/path?q") or absolute ("http://host/path") */
  readonly url: string
  readonly headers: readonly (readonly [string, string])[]
  /** frontend to ask; default: the first HTTP frontend */
  readonly frontend?: string
  /** client address the rules see (src); default 127.0.0.1 */
  readonly client?: string
}

export interface ExplainStep {
  /** "frontend fe http-request #1", "frontend fe use_backend (cfg:12)" */
  readonly rule: string
  readonly matched: boolean
  /** what the rule did when it matched: "continue", "deny 403", "use_backend api" */
  readonly effect: string
}

export interface ExplainResult {
  readonly frontend: string | null
  readonly steps: readonly ExplainStep[]
  /** final answer: "forwarded", "deny 403", "redirect 302 <loc>", "return 200", "no backend (503)", "no server (503)" */
  readonly verdict: string
  readonly backend: string | null
  readonly server: string | null
  /** how the server was chosen (hash algorithms answer for this request; rotating ones name the next in turn) */
  readonly note: string
}

function headOf (r: ExplainRequest): HttpHead {
  let uri = r.url
  const names: string[] = [], lnames: string[] = [], values: string[] = []
  for (const [n, v] of r.headers) { names.push(n); lnames.push(n.toLowerCase()); values.push(v) }
  const abs = /^https?:\/\/([^/]+)(\/.*)?$/i.exec(uri)
  if (abs !== null && !lnames.includes('host')) { names.push('Host'); lnames.push('host'); values.push(abs[1]) }
  if (abs !== null) uri = abs[2] ?? '/'
  return { method: r.method.toUpperCase(), uri, version: 'HTTP/1.1', status: 0, reason: '', names, lnames, values }
}

/** Runs <rules> like the proxy (first verdict stops), recording each step. */
function walk (rules: readonly HttpRule[], t: ActionTarget, label: string, steps: ExplainStep[]): string | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    const matched = r.cond === null || r.cond(t)
    if (!matched) { steps.push({ rule: `${label} http-request #${i + 1}`, matched, effect: '' }); continue }
    const o = r.run(t)
    const effect = o.kind === 'continue' ? 'continue' : o.kind === 'allow' ? 'allow' : o.kind === 'redirect' ? `redirect ${o.status} ${o.location}` : o.kind === 'service' ? `use-service ${o.name}` : o.kind === 'auth' ? `auth 401 realm "${o.realm}"` : `${o.kind === 'deny' ? 'deny' : 'return'} ${o.status}`
    steps.push({ rule: `${label} http-request #${i + 1}`, matched, effect })
    if (o.kind === 'allow') return null
    if (o.kind !== 'continue') return effect
  }
  return null
}

/** Which rules a request would match in the running configuration, and the
 *  backend and server it would go to. Nothing is sent and no live counter
 *  moves: the server is chosen by a copy of the backend (same states and weights). */
export function explainRequest (engine: Engine, req: ExplainRequest): ExplainResult {
  const gen = engine.current
  const fe: FrontendRuntime | undefined = req.frontend !== undefined
    ? gen.frontends.find(f => f.plan.name === req.frontend)
    : gen.frontends.find(f => f.plan.mode === 'http' && !f.plan.disabled)
  const none = { steps: [], backend: null, server: null, note: '' }
  if (fe === undefined) return { frontend: null, verdict: req.frontend === undefined ? 'no HTTP frontend' : `no frontend '${req.frontend}'`, ...none }
  const head = headOf(req)
  const bind = fe.plan.binds[0]
  const view = {
    srcAddr: req.client ?? '127.0.0.1', srcPort: 50000, dstAddr: bind?.host || '127.0.0.1', dstPort: bind?.port ?? 0,
    feName: fe.plan.name, beName: '', req: head, res: null, head, vars: new Map<string, string | number | boolean>()
  }
  const steps: ExplainStep[] = []
  const feLabel = `frontend ${fe.plan.name}`
  const answer = (verdict: string, backend: string | null = null): ExplainResult =>
    ({ frontend: fe.plan.name, steps, verdict, backend, server: null, note: '' })

  const early = walk(fe.plan.httpRequestRules, view, feLabel, steps)
  if (early !== null) return answer(early)
  let named = false
  const be = chooseBackend(fe.plan.switchRules, fe.plan.defaultBackend, fe.backends, view, (rule, name) => {
    const exists = name !== null && fe.backends.has(name)
    named ||= exists
    steps.push({ rule: `${feLabel} use_backend (${whereText(rule.where)})`, matched: name !== null,
      effect: name === null ? '' : exists ? `use_backend ${name}` : `backend '${name}' does not exist: next rule` })
  })
  if (be === undefined) return answer('no backend (503)')
  if (!named) steps.push({ rule: `${feLabel} default_backend`, matched: true, effect: `use_backend ${be.plan.name}` })
  view.beName = be.plan.name
  if (be.plan.name !== fe.plan.name) {
    const late = walk(be.plan.httpRequestRules, view, `backend ${be.plan.name}`, steps)
    if (late !== null) return answer(late, be.plan.name)
  }
  const copy = new BackendRuntime(be.plan, be)
  be.servers.forEach((s, i) => { copy.servers[i].userWeight = s.userWeight; copy.serverChanged(copy.servers[i]) })
  const waiter = { slotGranted () {}, fifoPrev: null, fifoNext: null, fifoOwner: null }
  const got = copy.assign(view, waiter, null, null)
  const algo = be.plan.balance.algo
  const note = `balance ${algo}` + (['roundrobin', 'static-rr', 'leastconn', 'first', 'random'].includes(algo) ? ': the server next in turn now' : ': chosen from this request')
  if (got.r === Assign.NoServer || got.srv === null) return { ...answer('no server (503)', be.plan.name), note }
  return { frontend: fe.plan.name, steps, verdict: 'forwarded', backend: be.plan.name, server: got.srv.name, note }
}
