import type { ConfigSource, LoadOptions, LoadResult } from './load.ts'
import type { RulesCompiler } from './keywords/types.ts'
import { lexLine } from './lexer.ts'
import { Diagnostics } from './messages.ts'
import { Preprocessor } from './preprocess.ts'
import { SectionParser } from './sections.ts'
import { compilePlan } from './compile.ts'
import { StickTables } from '../rules/stick/tables.ts'
import { Userlists } from '../rules/auth/userlist.ts'
import { ProxyRefs } from '../rules/proxy-refs.ts'
import { Cap } from './draft.ts'

/** Text of one or more configuration sources → LoadResult, with the rules
 *  engine injected (load.ts passes the real one). Never throws for
 *  configuration errors. */
export function parseConfig (sources: readonly ConfigSource[], opts: LoadOptions, rules: RulesCompiler): LoadResult {
  const diags = new Diagnostics()
  const env = new Map<string, string>()
  for (const [k, v] of Object.entries(opts.env ?? process.env)) if (v !== undefined) env.set(k, v)
  const files: string[] = []
  const tables = new StickTables()
  const userlists = new Userlists()
  const proxyRefs = new ProxyRefs()
  const parser = new SectionParser({ diags, baseDir: opts.baseDir ?? process.cwd(), rules, env, files, tables, userlists, proxyRefs })
  for (const src of sources) {
    files.push(src.path)
    const pre = new Preprocessor(diags, name => env.has(name))
    const lines = src.text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const where = { file: src.path, line: i + 1 }
      const warned = new Set<string>()
      const lexed = lexLine(lines[i] as string, {
        get: name => env.get(name),
        unknown: name => {
          if (warned.has(name) || !pre.active) return
          warned.add(name)
          diags.warn(where, `environment variable '${name}' is not set; expanded to an empty string.`)
        }
      })
      if ('error' in lexed) { if (pre.active) diags.alert(where, `${lexed.error}.`); continue }
      if (lexed.words.length === 0) continue
      if (pre.directive(lexed.words, where) || !pre.active) continue
      parser.line(lexed.words, where)
    }
    pre.endOfFile()
  }
  const named = (name: string, cap: number) => parser.proxies.find(p => p.name === name && (p.caps & cap) !== 0)
  const problems = [...userlists.problems(), ...proxyRefs.problems({
    has: (name, backend) => named(name, backend ? Cap.Be : Cap.Fe) !== undefined,
    hasServer: (backend, server) => named(backend, Cap.Be)?.servers.some(s => s.name === server) === true,
    captureSlots: (name, response) => { const p = named(name, Cap.Fe); return p === undefined ? 0 : (response ? p.responseCaptures : p.captures).length }
  })]
  for (const e of problems) if (e.where === null) diags.alerts.push(e.text); else diags.alert(e.where, e.text)
  const plan = diags.failed ? null : compilePlan(parser.global, parser.proxies, diags, files, tables)
  if (plan === null) return { ok: false, alerts: diags.alerts, warnings: diags.warnings, notices: diags.notices }
  return { ok: true, plan, warnings: diags.warnings, notices: diags.notices }
}
