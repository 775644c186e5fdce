import type { StreamView } from '../core/stream-view.ts'
import { Phase, RulesError } from './types.ts'
import type { ArgSpec, CompileCtx, ConvFn, EachFn, Sample, SampleFn, SmpType } from './sample.ts'
import { castFn } from './sample.ts'
import { checkVarName } from './vars.ts'
import type { CallText, ParsedExpr } from './expr-parse.ts'
import { FETCHES, CONVERTERS } from './registry.ts'

/** A compiled `fetch[,conv...]` with what config-time checks need. */
export interface CompiledExpr {
  readonly fn: SampleFn
  /** For ACLs: binds <visit> to every value the fetch yields (after the
   *  converters) and returns the test; null when the fetch has one value. */
  readonly some: ((visit: (v: Sample, s: StreamView) => boolean) => (s: StreamView) => boolean) | null
  readonly type: SmpType
  /** Phase bits where the whole expression can work */
  readonly use: number
  /** Keyword names, for messages */
  readonly fetchName: string
}

const PHASE_NAMES: readonly [number, string][] = [
  [Phase.L4Conn, 'tcp-request connection rules'], [Phase.L4Content, 'tcp-request content rules'],
  [Phase.HttpReq, 'http-request rules'], [Phase.HttpRes, 'http-response rules'], [Phase.Log, 'logs'],
  [Phase.L4Response, 'tcp-response content rules']
]

export function phaseText (bits: number): string {
  const names = PHASE_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n)
  return names.length === 0 ? 'nowhere' : names.join(', ')
}

/** Checks <args> against <spec>; returns them with optional ones left undefined. */
function checkArgs (kind: string, call: CallText, spec: readonly ArgSpec[]): string[] {
  const args = call.args ?? []
  if (args.length > spec.length) throw new RulesError(`${kind} '${call.name}' : expects at most ${spec.length} argument(s), got ${args.length}`)
  const mandatory = spec.filter(a => a.optional !== true).length
  if (args.length < mandatory) throw new RulesError(`${kind} '${call.name}' : missing arguments (got ${args.length}/${mandatory})`)
  args.forEach((a, i) => {
    const k = spec[i].kind
    if (k === 'int' && !/^[-+]?\d+$/.test(a) && !(a === '' && spec[i].optional === true)) {
      throw new RulesError(`${kind} '${call.name}' : expects an integer for argument ${i + 1}, got '${a}'`)
    }
    if (k === 'var') checkVarName(a)
  })
  // a trailing empty optional argument is an absent one ("date(,ms)" keeps its first)
  let n = args.length
  while (n > 0 && args[n - 1] === '' && spec[n - 1].optional === true) n--
  return args.slice(0, n)
}

/** Compiles a parsed expression. <phase> = bits of the place it runs in, or 0
 *  to skip the place check (named ACLs are checked where they are used). */
export function compileParsed (p: ParsedExpr, cc: CompileCtx, phase: number): CompiledExpr {
  const def = FETCHES.get(p.fetch.name)
  if (def === undefined) throw new RulesError(`unknown fetch method '${p.fetch.name}'`)
  if (def.extension !== undefined) cc.warn(`${def.extension} (pocketlb extension)`)
  if (phase !== 0 && (def.use & phase) === 0) {
    throw new RulesError(`sample fetch '${p.fetch.name}' may not be reliably used here because it needs data only available in ${phaseText(def.use)}`)
  }
  const fargs = checkArgs('fetch method', p.fetch, def.args)
  const fetch = def.compile(fargs, cc)
  const fetchEach: EachFn | null = def.compileEach?.(fargs, cc) ?? null

  let type: SmpType = def.out
  const steps: ConvFn[] = []
  for (const c of p.convs) {
    const conv = CONVERTERS.get(c.name)
    if (conv === undefined) throw new RulesError(`unknown converter '${c.name}'`)
    const cast = castFn(type, conv.in)
    if (cast === 'never') throw new RulesError(`converter '${c.name}' cannot be applied: it expects '${conv.in}' and gets '${type}'`)
    const fn = conv.compile(checkArgs('converter', c, conv.args), cc)
    steps.push(cast === null ? fn : (v, s) => { const x = cast(v); return x === undefined ? undefined : fn(x, s) })
    type = conv.out
  }
  const chain = composeSteps(steps)
  const fn: SampleFn = chain === null ? fetch : s => { const v = fetch(s); return v === undefined ? undefined : chain(v, s) }
  let some: CompiledExpr['some'] = null
  if (fetchEach !== null) {
    some = chain === null
      ? visit => s => fetchEach(s, visit)
      : visit => {
        const through = (v: Sample, s: StreamView): boolean => { const x = chain(v, s); return x !== undefined && visit(x, s) }
        return s => fetchEach(s, through)
      }
  }
  return { fn, some, type, use: def.use, fetchName: p.fetch.name }
}

function composeSteps (steps: ConvFn[]): ConvFn | null {
  if (steps.length === 0) return null
  if (steps.length === 1) return steps[0]
  return (v, s) => {
    let x: Sample | undefined = v
    for (let i = 0; i < steps.length && x !== undefined; i++) x = steps[i](x, s)
    return x
  }
}
