import type { Where } from '../../core/where.ts'
import { verifyCrypt } from './crypt.ts'

/** A `userlist` section (HAProxy auth.c): users with a crypt(3) hash or a
 *  clear password, and groups. Membership may be written on either side
 *  (`group G users a,b` or `user a … groups G`); resolve() joins both once
 *  the whole configuration is read. */

interface User {
  readonly password: string
  readonly hashed: boolean
  /** groups named on the `user` line, checked by resolve() */
  readonly groupNames: readonly string[]
  /** the last clear text that matched the hash: saves a crypt per request */
  verified: string | null
}

export class Userlist {
  readonly #users = new Map<string, User>()
  /** group → members, filled by resolve() */
  readonly #groups = new Map<string, Set<string>>()
  /** `group` lines: their `users` lists, checked by resolve() */
  readonly #groupLines: { group: string; users: string[] }[] = []
  declared = false

  constructor (readonly name: string) {}

  /** `user <name> password|insecure-password <pw> [groups <g,...>]`; false = duplicate (ignored). */
  addUser (name: string, password: string, hashed: boolean, groups: string[]): boolean {
    if (this.#users.has(name)) return false
    this.#users.set(name, { password, hashed, groupNames: groups, verified: null })
    return true
  }

  /** `group <name> [users <u,...>]`; false = duplicate. */
  addGroup (name: string, users: string[]): boolean {
    if (this.#groups.has(name)) return false
    this.#groups.set(name, new Set())
    this.#groupLines.push({ group: name, users })
    return true
  }

  hasGroup (name: string): boolean { return this.#groups.has(name) }

  /** Joins group and user lines; returns HAProxy's messages for unknown names. */
  resolve (): string[] {
    const errors: string[] = []
    for (const g of this.#groupLines) {
      for (const u of g.users) {
        if (!this.#users.has(u)) errors.push(`userlist '${this.name}': no such user '${u}' specified in group '${g.group}'`)
        else this.#groups.get(g.group)!.add(u)
      }
    }
    for (const [name, u] of this.#users) {
      for (const g of u.groupNames) {
        const members = this.#groups.get(g)
        if (members === undefined) errors.push(`userlist '${this.name}': no such group '${g}' specified in user '${name}'`)
        else members.add(name)
      }
    }
    return errors
  }

  /** True when <user> exists and <password> is its password. */
  check (user: string, password: string): boolean {
    const u = this.#users.get(user)
    if (u === undefined) return false
    if (!u.hashed) return u.password === password
    if (u.verified === password) return true
    if (!verifyCrypt(Buffer.from(password, 'latin1'), u.password)) return false
    u.verified = password
    return true
  }

  inGroup (user: string, group: string): boolean { return this.#groups.get(group)?.has(user) === true }
}

/** The userlists of one configuration. Rules may name a userlist declared
 *  further down: ref() hands it out at once, problems() reports at the end
 *  names never declared and groups that do not exist. */
export class Userlists {
  readonly #byName = new Map<string, Userlist>()
  readonly #refs: { list: Userlist; where: Where | null; what: string }[] = []
  readonly #groupRefs: { list: Userlist; group: string; what: string }[] = []
  #here: Where | null = null

  /** Where the configuration is being read (config/ calls it per line). */
  locate (where: Where): void { this.#here = where }

  /** A new `userlist <name>` section; null when the name is taken. */
  declare (name: string): Userlist | null {
    const l = this.#list(name)
    if (l.declared) return null
    l.declared = true
    return l
  }

  /** The userlist <name> as named by <what> (for messages). */
  ref (name: string, what: string): Userlist {
    const l = this.#list(name)
    this.#refs.push({ list: l, where: this.#here, what })
    return l
  }

  /** <group> must exist in <list> (an http_auth_group ACL pattern). */
  refGroup (list: Userlist, group: string, what: string): void { this.#groupRefs.push({ list, group, what }) }

  /** Alerts once everything is read: unknown users/groups, undeclared userlists, unknown groups in ACLs. */
  problems (): { where: Where | null; text: string }[] {
    const out: { where: Where | null; text: string }[] = []
    for (const l of this.#byName.values()) if (l.declared) for (const text of l.resolve()) out.push({ where: null, text })
    for (const r of this.#refs) {
      if (!r.list.declared) out.push({ where: r.where, text: `unable to find userlist '${r.list.name}' referenced in arg 1 of ${r.what}.` })
    }
    for (const g of this.#groupRefs) {
      if (g.list.declared && !g.list.hasGroup(g.group)) out.push({ where: null, text: `${g.what}: invalid group '${g.group}'.` })
    }
    return out
  }

  #list (name: string): Userlist {
    let l = this.#byName.get(name)
    if (l === undefined) { l = new Userlist(name); this.#byName.set(name, l) }
    return l
  }
}
