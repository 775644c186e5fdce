import type { Where } from '../core/where.ts'

/** Proxies and servers named in sample fetch arguments (`be_conn(app)`,
 *  `srv_is_up(app/s1)`, `fe_conn(web)`), checked once the whole configuration
 *  is read, since a proxy may be declared further down (HAProxy resolves
 *  these arguments after parsing too). */
export interface ProxyLookup {
  /** true when a proxy <name> with that side (frontend or backend capability) exists */
  has (name: string, backend: boolean): boolean
  hasServer (backend: string, server: string): boolean
}

interface Ref { readonly name: string; readonly backend: boolean; readonly server: string | null; readonly what: string; readonly where: Where | null }

export class ProxyRefs {
  readonly #refs: Ref[] = []
  #here: Where | null = null

  /** Where the configuration is being read (config/ calls it per line). */
  locate (where: Where): void { this.#here = where }

  /** <what> (e.g. "sample fetch keyword 'be_conn'") names proxy <name>, and server <server> in it when given. */
  ref (name: string, backend: boolean, what: string, server: string | null = null): void {
    this.#refs.push({ name, backend, server, what, where: this.#here })
  }

  /** HAProxy's messages for names that do not exist. */
  problems (lookup: ProxyLookup): { where: Where | null; text: string }[] {
    const out: { where: Where | null; text: string }[] = []
    for (const r of this.#refs) {
      const side = r.backend ? 'backend' : 'frontend'
      if (!lookup.has(r.name, r.backend)) out.push({ where: r.where, text: `unable to find ${side} '${r.name}' referenced in arg 1 of ${r.what}.` })
      else if (r.server !== null && !lookup.hasServer(r.name, r.server)) out.push({ where: r.where, text: `unable to find server '${r.server}' in backend '${r.name}' referenced in arg 1 of ${r.what}.` })
    }
    return out
  }
}
