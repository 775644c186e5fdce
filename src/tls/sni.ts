import type { TlsCertPlan } from '../config/plan.ts'

/** Certificate choice by SNI, as HAProxy's: an exact name first, then a
 *  wildcard "*.<rest>" covering one label; among several candidates the one
 *  declared first wins; a certificate never answers for its excluded
 *  ("!name") crt-list names. Built once per bind. */
export class SniIndex<T> {
  private readonly exact = new Map<string, T>()
  private readonly wildcard = new Map<string, { value: T; excluded: readonly string[] }[]>()

  constructor (entries: readonly { cert: TlsCertPlan; value: T }[]) {
    for (const { cert, value } of entries) {
      for (const name of cert.names) {
        if (name.startsWith('*.')) {
          const list = this.wildcard.get(name.slice(2)) ?? []
          list.push({ value, excluded: cert.excluded })
          this.wildcard.set(name.slice(2), list)
        } else if (!this.exact.has(name)) this.exact.set(name, value)
      }
    }
  }

  /** The entry for <servername> (any case), undefined when none matches. */
  find (servername: string): T | undefined {
    const name = servername.toLowerCase()
    const hit = this.exact.get(name)
    if (hit !== undefined) return hit
    const dot = name.indexOf('.')
    if (dot < 0) return undefined
    const list = this.wildcard.get(name.slice(dot + 1))
    return list?.find(e => !e.excluded.includes(name))?.value
  }
}
