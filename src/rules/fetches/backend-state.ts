import type { StreamView } from '../../core/stream-view.ts'
import type { CompileCtx, FetchDef } from '../sample.ts'
import { USE_ANY } from './use.ts'
import { RulesError } from '../types.ts'

/** What rules may read of a live server (the proxy's ServerRuntime has it). */
export interface LiveServer {
  readonly checkUp: boolean
  readonly admin: string
  readonly cur: number
  /** effective maxconn, 0 = unlimited */
  readonly maxconn: number
  readonly plan: { readonly maxqueue: number }
  readonly queue: { readonly length: number }
}

/** What rules may read of a live backend (the proxy's BackendRuntime has it). */
export interface LiveBackend {
  readonly activeUsable: number
  readonly backupUsable: number
  readonly cur: number
  readonly queued: number
  readonly plan: { readonly allbackups: boolean }
  readonly byName: ReadonlyMap<string, LiveServer>
  readonly servers: readonly LiveServer[]
}

/** What rules may read of a live frontend (the proxy's FrontendRuntime has it). */
export interface LiveFrontend { readonly cur: number }

/** A stream that can show the proxies of its generation (the proxy's streams). */
export interface LiveBackendsHolder {
  readonly liveBackends: ReadonlyMap<string, LiveBackend>
  readonly liveFrontends: ReadonlyMap<string, LiveFrontend>
}

/** <name>, or the stream's own backend (a listen section's is its own name). */
function backendOf (s: StreamView, name: string | undefined): LiveBackend | undefined {
  const all = (s as Partial<LiveBackendsHolder>).liveBackends
  return all?.get(name ?? (s.beName !== '' ? s.beName : s.feName))
}

/** The "<backend>/<server>" argument of srv_* fetches, split once at config
 *  time; both names are checked once the configuration is read. */
function serverPath (arg: string, keyword: string, cc: CompileCtx): (s: StreamView) => LiveServer | undefined {
  const slash = arg.indexOf('/')
  if (slash < 0) throw new RulesError(`'${arg}' is not a <backend>/<server> name`)
  const backend = arg.slice(0, slash)
  const server = arg.slice(slash + 1)
  cc.proxyRefs?.ref(backend, true, `sample fetch keyword '${keyword}'`, server)
  return s => backendOf(s, backend)?.byName.get(server)
}

/** The backend a fetch reads: its argument (checked at the end of the
 *  configuration), else the proxy the rule is in, which must be a backend. */
function backendArg (arg: string | undefined, keyword: string, cc: CompileCtx): string | undefined {
  if (arg !== undefined) { cc.proxyRefs?.ref(arg, true, `sample fetch keyword '${keyword}'`); return arg }
  if (cc.backend === false) throw new RulesError(`proxy '${cc.proxy ?? ''}', referenced in arg 1 of sample fetch keyword '${keyword}', has not backend capability`)
  return cc.proxy
}

/** HAProxy be_usable_srv: active servers up, else the backups that would be
 *  used (all with `option allbackups`, else the first one). */
function usableServers (b: LiveBackend): number {
  if (b.activeUsable > 0) return b.activeUsable
  return b.plan.allbackups ? b.backupUsable : Math.min(1, b.backupUsable)
}

/** HAProxy smp_fetch_connslots: free connection and queue slots over the
 *  servers not stopped; one server without maxconn or maxqueue makes it -1. */
function connSlots (b: LiveBackend): number {
  let n = 0
  for (const srv of b.servers) {
    if (!srv.checkUp || srv.admin === 'maint') continue
    if (srv.maxconn === 0 || srv.plan.maxqueue === 0) return -1
    n += (srv.maxconn - srv.cur) + (srv.plan.maxqueue - srv.queue.length)
  }
  return n
}

const onBackend = (keyword: string, read: (b: LiveBackend) => number): FetchDef => ({
  args: [{ kind: 'str', optional: true }], out: 'int', use: USE_ANY,
  compile: (args, cc) => { const name = backendArg(args[0], keyword, cc); return s => { const b = backendOf(s, name); return b === undefined ? undefined : read(b) } }
})

/** Fetches on the live state of backends and servers (HAProxy backend.c):
 *  `monitor fail if { nbsrv(app) lt 1 }`, `use_backend b2 if { be_conn(b1) gt 100 }`. */
export const BACKEND_STATE_FETCHES: Readonly<Record<string, FetchDef>> = {
  nbsrv: onBackend('nbsrv', usableServers),
  be_conn: onBackend('be_conn', b => b.cur),
  connslots: onBackend('connslots', connSlots),
  fe_conn: {
    args: [{ kind: 'str', optional: true }], out: 'int', use: USE_ANY,
    compile: (args, cc) => {
      const name = args[0]
      if (name !== undefined) cc.proxyRefs?.ref(name, false, "sample fetch keyword 'fe_conn'")
      else if (cc.frontend === false) throw new RulesError(`proxy '${cc.proxy ?? ''}', referenced in arg 1 of sample fetch keyword 'fe_conn', has not frontend capability`)
      return s => (s as Partial<LiveBackendsHolder>).liveFrontends?.get(name ?? s.feName)?.cur
    }
  },
  queue: onBackend('queue', b => b.queued),
  avg_queue: onBackend('avg_queue', b => { const n = usableServers(b); return n === 0 ? b.queued : Math.floor(b.queued / n) }),
  srv_is_up: {
    args: [{ kind: 'str' }], out: 'bool', use: USE_ANY,
    compile: (args, cc) => { const of = serverPath(args[0], 'srv_is_up', cc); return s => { const v = of(s); return v === undefined ? undefined : v.checkUp && v.admin !== 'maint' } }
  },
  srv_conn: {
    args: [{ kind: 'str' }], out: 'int', use: USE_ANY,
    compile: (args, cc) => { const of = serverPath(args[0], 'srv_conn', cc); return s => of(s)?.cur }
  }
}
