import type { Where } from '../core/where.ts'
import type { Diagnostics } from './messages.ts'
import { CAPS_OF, Cap, inherit, newDefaults, type ProxyDraft, type SectionKind } from './draft.ts'
import { didYouMean } from './suggest.ts'
import { GLOBAL_KEYWORDS, newGlobal } from './keywords/global.ts'
import { PROXY_KEYWORDS, parseNegated } from './keywords/proxy.ts'
import type { GlobalDraft, KwCtx, RulesCompiler } from './keywords/types.ts'
import type { StickTables } from '../rules/stick/tables.ts'
import type { Userlist, Userlists } from '../rules/auth/userlist.ts'
import type { ProxyRefs } from '../rules/proxy-refs.ts'
import { parseUserlistLine } from './keywords/userlist.ts'

/** Section structure of a configuration: routes each line to the current
 *  section's keyword table, creates proxies from their defaults, checks
 *  proxy names. Fed lines in file order by load.ts. */

/** Sections parsed elsewhere in HAProxy that pocketlb accepts and ignores. */
const IGNORED_SECTIONS: ReadonlySet<string> = new Set(['peers', 'resolvers', 'cache', 'program', 'mailers', 'ring', 'http-errors'])

const PROXY_SECTIONS: ReadonlySet<string> = new Set(['defaults', 'frontend', 'backend', 'listen'])

type Current =
  | { readonly t: 'none' }
  | { readonly t: 'global' }
  | { readonly t: 'proxy'; readonly p: ProxyDraft }
  | { readonly t: 'userlist'; readonly list: Userlist }
  | { readonly t: 'ignored' }

export interface ParseInput {
  readonly diags: Diagnostics
  readonly baseDir: string
  readonly rules: RulesCompiler
  readonly env: Map<string, string>
  readonly files: string[]
  readonly tables?: StickTables
  readonly userlists?: Userlists
  readonly proxyRefs?: ProxyRefs
}

export class SectionParser {
  readonly global: GlobalDraft = newGlobal({ file: '', line: 0 })
  /** frontends, backends and listens in declaration order */
  readonly proxies: ProxyDraft[] = []
  private current: Current = { t: 'none' }
  /** the defaults a new proxy starts from when it has no `from` */
  private lastDefaults: ProxyDraft = newDefaults('', { file: '', line: 0 })
  private readonly namedDefaults = new Map<string, ProxyDraft>()

  constructor (private readonly input: ParseInput) {}

  /** One active (non-directive) line. */
  line (words: string[], where: Where): void {
    const kw = words[0] as string
    if (kw === 'global' || kw === 'userlist' || PROXY_SECTIONS.has(kw) || IGNORED_SECTIONS.has(kw)) { this.openSection(words, where); return }
    this.input.tables?.locate(where)
    this.input.userlists?.locate(where)
    this.input.proxyRefs?.locate(where)
    const c: KwCtx = { words, where, diags: this.input.diags, baseDir: this.input.baseDir, rules: this.input.rules, global: this.global, env: this.input.env, files: this.input.files, tables: this.input.tables, userlists: this.input.userlists, proxyRefs: this.input.proxyRefs }
    const cur = this.current
    if (cur.t === 'ignored') return
    if (cur.t === 'userlist') { parseUserlistLine(cur.list, c); return }
    if (cur.t === 'none') { this.input.diags.alert(where, `unknown keyword '${kw}' out of section.`); return }
    if (cur.t === 'global') {
      const parse = GLOBAL_KEYWORDS[kw]
      if (parse === undefined) this.input.diags.alert(where, `unknown keyword '${kw}' in 'global' section${didYouMean(kw, Object.keys(GLOBAL_KEYWORDS))}`)
      else parse(this.global, c)
      return
    }
    this.proxyLine(cur.p, c)
  }

  private proxyLine (p: ProxyDraft, c: KwCtx): void {
    const kw = c.words[0] as string
    if (kw === 'no') { parseNegated(p, c); return }
    const entry = PROXY_KEYWORDS[kw]
    if (entry === undefined) {
      c.diags.alert(c.where, `unknown keyword '${kw}' in '${p.kind}' section${didYouMean(kw, Object.keys(PROXY_KEYWORDS))}`)
      return
    }
    if (p.kind === 'defaults' && entry.noDefaults === true) {
      c.diags.alert(c.where, `'${kw}' not allowed in ${p.name === '' ? 'anonymous ' : ''}'defaults' section.`)
      return
    }
    if ((entry.caps & p.caps) === 0) {
      const missing = entry.caps & Cap.Fe ? 'frontend' : 'backend'
      if (entry.strict === true) c.diags.alert(c.where, `'${kw}' not allowed because ${p.kind} '${p.name}' has no ${missing} capability.`)
      else c.diags.warn(c.where, `'${kw}' ignored because ${p.kind} '${p.name}' has no ${missing} capability.`)
      return
    }
    entry.parse(p, c)
  }

  private openSection (words: string[], where: Where): void {
    const kw = words[0] as string
    if (kw === 'global') {
      if (words.length > 1) this.input.diags.alert(where, `'global' cannot handle unexpected argument '${words[1]}'.`)
      this.global.where = where
      this.current = { t: 'global' }
      return
    }
    if (kw === 'userlist') { this.openUserlist(words, where); return }
    if (IGNORED_SECTIONS.has(kw)) {
      this.input.diags.warn(where, `'${kw}' sections are not used by pocketlb; section ignored.`)
      this.current = { t: 'ignored' }
      return
    }
    const kind = kw as SectionKind
    const [, nameWord, fromKw, fromName, extra] = words
    const name = nameWord ?? ''
    if (kind !== 'defaults' && name === '') {
      this.input.diags.alert(where, `'${kind}' expects <name> as argument.`)
      this.current = { t: 'ignored' }
      return
    }
    if (name !== '' && !/^[A-Za-z0-9_.:-]+$/.test(name)) {
      this.input.diags.alert(where, `character '${name.replace(/[A-Za-z0-9_.:-]/g, '')[0]}' is not permitted in '${kind}' name '${name}'.`)
      this.current = { t: 'ignored' }
      return
    }
    if ((fromKw !== undefined && fromKw !== 'from') || (fromKw === 'from' && fromName === undefined) || extra !== undefined) {
      this.input.diags.alert(where, `'${kind} ${name}' : expects 'from <defaults_name>' after the name.`)
      this.current = { t: 'ignored' }
      return
    }
    // WHY: a defaults section without `from` restarts from the built-in values (HAProxy).
    let base = kind === 'defaults' ? newDefaults('', where) : this.lastDefaults
    if (fromName !== undefined) {
      const named = this.namedDefaults.get(fromName)
      if (named === undefined) {
        this.input.diags.alert(where, `${kind} '${name}': unable to find defaults section '${fromName}'.`)
        this.current = { t: 'ignored' }
        return
      }
      base = named
    }
    if (kind === 'defaults') {
      const d = inherit(base, 'defaults', name, where)
      this.lastDefaults = d
      if (name !== '') this.namedDefaults.set(name, d)
      this.current = { t: 'proxy', p: d }
      return
    }
    this.checkDuplicate(kind, name, where)
    const p = inherit(base, kind, name, where)
    this.proxies.push(p)
    this.current = { t: 'proxy', p }
  }

  private openUserlist (words: string[], where: Where): void {
    const name = words[1]
    this.current = { t: 'ignored' }
    if (name === undefined) { this.input.diags.alert(where, "'userlist' expects <name> as argument."); return }
    const list = this.input.userlists?.declare(name)
    if (list === undefined) { this.input.diags.warn(where, "'userlist' sections are not used here; section ignored."); return }
    if (list === null) { this.input.diags.warn(where, `ignoring duplicated userlist '${name}'.`); return }
    this.current = { t: 'userlist', list }
  }

  /** HAProxy: frontends and backends may share a name; a listen conflicts with both. */
  private checkDuplicate (kind: SectionKind, name: string, where: Where): void {
    const caps = CAPS_OF[kind]
    const other = this.proxies.find(o => o.name === name && (o.caps & caps) !== 0)
    if (other === undefined) return
    this.input.diags.alerts.push(`Parsing [${where.file}:${where.line}]: ${kind} '${name}' has the same name as ${other.kind} '${name}' declared at ${other.where.file}:${other.where.line}.`)
  }
}
