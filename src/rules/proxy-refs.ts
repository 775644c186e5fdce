import type { Where } from '../core/where.ts'

/** Proxies and servers named in sample fetch arguments (`be_conn(app)`,
 *  `srv_is_up(app/s1)`, `fe_conn(web)`) and capture slots named by number
 *  (`http-request capture … id 1`), checked once the whole configuration is
 *  read: a proxy may be declared further down, a slot declared after its use
 *  (HAProxy resolves these after parsing too). */
export interface ProxyLookup {
  /** true when a proxy <name> with that side (frontend or backend capability) exists */
  has (name: string, backend: boolean): boolean
  hasServer (backend: string, server: string): boolean
  /** capture slots the frontend <name> declares in one direction */
  captureSlots (name: string, response: boolean): number
}

interface Ref { readonly name: string; readonly backend: boolean; readonly server: string | null; readonly what: string; readonly where: Where | null }

export class ProxyRefs {
  readonly #refs: Ref[] = []
  readonly #slots: { proxy: string; response: boolean; id: number; what: string; where: Where | null }[] = []
  #here: Where | null = null

  /** Where the configuration is being read (config/ calls it per line). */
  locate (where: Where): void { this.#here = where }

  /** <what> (e.g. "sample fetch keyword 'be_conn'") names proxy <name>, and server <server> in it when given. */
  ref (name: string, backend: boolean, what: string, server: string | null = null): void {
    this.#refs.push({ name, backend, server, what, where: this.#here })
  }

  /** <what> in frontend <proxy> fills capture slot <id>. */
  refCapture (proxy: string, response: boolean, id: number, what: string): void {
    this.#slots.push({ proxy, response, id, what, where: this.#here })
  }

  /** HAProxy's messages for names and slots that do not exist. */
  problems (lookup: ProxyLookup): { where: Where | null; text: string }[] {
    const out: { where: Where | null; text: string }[] = []
    for (const r of this.#refs) {
      const side = r.backend ? 'backend' : 'frontend'
      if (!lookup.has(r.name, r.backend)) out.push({ where: r.where, text: `unable to find ${side} '${r.name}' referenced in arg 1 of ${r.what}.` })
      else if (r.server !== null && !lookup.hasServer(r.name, r.server)) out.push({ where: r.where, text: `unable to find server '${r.server}' in backend '${r.name}' referenced in arg 1 of ${r.what}.` })
    }
    for (const c of this.#slots) {
      if (c.id >= lookup.captureSlots(c.proxy, c.response)) out.push({ where: c.where, text: `Proxy '${c.proxy}': unable to find capture id '${c.id}' referenced by ${c.what} rule.` })
    }
    return out
  }
}
