import { PROFILE_CHOICES, type ProfileChoice } from './types.ts'
import { computeLimits, nodeFlags } from './limits.ts'
import { INPUTS_ENV, encodeInputs, readInputs } from './inputs.ts'
import { formatTune } from './report.ts'

/** The tuning options shared by `pocketlb tune` and the data plane:
 *  --profile <pocket|pocket-battery|lab|auto> (env PLB_PROFILE), --board <file> (env PLB_BOARD). */
export interface TuneOpts { profile: ProfileChoice; board: string | null }

export function defaultTuneOpts (): TuneOpts {
  return { profile: (process.env.PLB_PROFILE as ProfileChoice | undefined) ?? 'auto', board: process.env.PLB_BOARD ?? null }
}

/** Consumes argv[<i>] when it is a tuning option; returns the index of its
 *  last word, or -1 when argv[<i>] is not one. Throws on a bad value. */
export function takeTuneOption (argv: readonly string[], i: number, o: TuneOpts): number {
  const a = argv[i]
  if (a !== '--profile' && a !== '--board') return -1
  const v = argv[i + 1]
  if (v === undefined) throw new Error(`${a} requires a value`)
  if (a === '--board') { o.board = v; return i + 1 }
  if (!(PROFILE_CHOICES as readonly string[]).includes(v)) throw new Error(`unknown profile '${v}' (expected ${PROFILE_CHOICES.join(', ')})`)
  o.profile = v as ProfileChoice
  return i + 1
}

/** Words after which pocketlb does not start a data plane (no V8 caps needed). */
const NO_DATA_PLANE = new Set(['-c', '-v', '-V', '-vv', '-cc', '-h', '--help', 'vrrp', 'export', 'tune'])

/** `pocketlb tune [--profile p] [--board file] [--json]`: prints the profile,
 *  inputs and limits. `pocketlb tune --exec-words <pocketlb args>` is
 *  bin/pocketlb's pre-computation: the words for `env` that start node for
 *  that command line — `PLB_TUNING_INPUTS=<reading> node <V8 caps>` when it
 *  starts a data plane, `node` when not. */
export async function tuneCli (argv: readonly string[]): Promise<number> {
  const o = defaultTuneOpts()
  const flagsFor = argv[0] === '--exec-words'
  const args = flagsFor ? argv.slice(1) : argv
  let json = false
  try {
    for (let i = 0; i < args.length; i++) {
      const j = takeTuneOption(args, i, o)
      if (j >= 0) { i = j; continue }
      if (args[i] === '--json' && !flagsFor) { json = true; continue }
      if (flagsFor) { if (NO_DATA_PLANE.has(args[i])) { process.stdout.write('node\n'); return 0 } continue }
      process.stderr.write(`Usage : pocketlb tune [--profile ${PROFILE_CHOICES.join('|')}] [--board <file>] [--json]\n`)
      return 1
    }
    const inputs = await readInputs(o.board)
    const limits = computeLimits(o.profile, inputs)
    if (flagsFor) process.stdout.write([`${INPUTS_ENV}=${encodeInputs(inputs)}`, 'node', ...nodeFlags(limits)].join(' ') + '\n')
    else process.stdout.write(json ? JSON.stringify({ inputs, limits }, null, 2) + '\n' : formatTune(inputs, limits))
    return 0
  } catch (e) {
    process.stderr.write(`[ALERT]    (${process.pid}) : ${(e as Error).message}\n`)
    return 1
  }
}
