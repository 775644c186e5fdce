import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Plan } from './plan.ts'
import { parseConfig } from './parse-config.ts'
import {
  compileAcl, compileCondition, compileHttpRequestRule, mergeAcl, compileHttpResponseRule, compileTemplate, compileSampleExpr
} from '../rules/compile.ts'
import { compileTcpRule, compileTcpResponseRule } from '../rules/tcp-rules.ts'

/** Public entry points of config/: the CLI, the integrator and the UI's
 *  editor call these. */

export interface ConfigSource { path: string; text: string }
export interface LoadOptions {
  env?: NodeJS.ProcessEnv
  /** directory for relative errorfile/map/pattern paths (default: the first file's directory, or cwd) */
  baseDir?: string
}
export type LoadResult =
  | { ok: true; plan: Plan; warnings: string[]; notices?: string[] }
  | { ok: false; alerts: string[]; warnings: string[]; notices?: string[] }

const RULES = { compileAcl, mergeAcl, compileCondition, compileTemplate, compileHttpRequestRule, compileHttpResponseRule, compileSampleExpr, compileTcpRule, compileTcpResponseRule }

/** Reads files in order (several -f) and compiles. Never throws for config errors. */
export function loadConfigFiles (paths: string[], opts: LoadOptions = {}): LoadResult {
  const sources: ConfigSource[] = []
  for (const path of paths) {
    try {
      sources.push({ path, text: readFileSync(path, 'utf8') })
    } catch (e) {
      return { ok: false, alerts: [`Could not open configuration file ${path} : ${(e as NodeJS.ErrnoException).message}`], warnings: [] }
    }
  }
  const baseDir = opts.baseDir ?? (paths[0] === undefined ? undefined : dirname(paths[0]))
  return parseConfig(sources, { ...opts, baseDir }, RULES)
}

/** Same from in-memory text (the UI's editor, tests). */
export function loadConfigSources (sources: ConfigSource[], opts: LoadOptions = {}): LoadResult {
  return parseConfig(sources, opts, RULES)
}
