import type { AgentReport, CheckStatusCode, ProbeResult, ProbeTarget } from '../types.ts'
import { runProgram, type CheckOp, type ExpectDecision } from '../engine.ts'

/** agent-check (HAProxy tcpcheck_agent_expect_reply): the agent answers one line
 *  of words separated by spaces, tabs or commas, and an optional "# description":
 *  "<n>%" weight, "up" | "down" | "stopped" | "fail", "ready" | "drain" | "maint",
 *  "maxconn:<n>". The last word of each kind wins. */

export interface AgentLine {
  readonly report: AgentReport
  readonly status: CheckStatusCode
  readonly info: string
}

export function parseAgentLine (line: string): AgentLine {
  let health: AgentReport['health'] = null
  let healthWord = ''
  let admin: AgentReport['admin'] = null
  let weightPercent: number | null = null
  let maxconn: number | null = null
  let error = ''
  const hash = line.indexOf('#')
  const words = (hash < 0 ? line : line.slice(0, hash)).split(/[ \t,]+/).filter(w => w !== '')
  const description = hash < 0 ? '' : line.slice(hash + 1).trim()
  for (const word of words) {
    const w = word.toLowerCase()
    if (w === 'up') { health = 'up'; healthWord = word }
    else if (w === 'down' || w === 'stopped' || w === 'fail') { health = 'down'; healthWord = word }
    else if (w === 'ready' || w === 'drain' || w === 'maint') admin = w
    else if (/^\d/.test(w) && w.includes('%')) weightPercent = parseInt(w, 10)
    else if (w.startsWith('maxconn:')) maxconn = parseInt(w.slice(8), 10)
    else if (error === '') error = word
  }
  const report: AgentReport = { health, admin, weightPercent, maxconn }
  if (health !== null) {
    const msg = description !== '' && health === 'down' ? description : (error !== '' ? error : description)
    return { report, status: health === 'up' ? 'L7OK' : 'L7STS', info: `via agent : ${healthWord}${msg !== '' ? ` (${msg})` : ''}` }
  }
  return { report, status: 'CHECKED', info: error !== '' ? `agent reports an error : ${error}` : '' }
}

/** Runs one agent check: sends <send> (agent-send, may be empty) and reads the
 *  first line. The result carries the parsed words in <agent>; a line cut by the
 *  peer closing is HAProxy's "Ignoring incomplete line from agent" (no change). */
export async function runAgentCheck (target: ProbeTarget, send: string, signal: AbortSignal): Promise<ProbeResult> {
  let report: AgentReport | undefined
  const decide = (received: Buffer, lastRead: boolean): ExpectDecision => {
    const text = received.toString('latin1')
    const eol = text.search(/[\r\n]/)
    if (eol < 0) return lastRead ? { status: 'CHECKED', info: 'Ignoring incomplete line from agent', code: 0 } : 'wait'
    const parsed = parseAgentLine(text.slice(0, eol))
    report = parsed.report
    return { status: parsed.status, info: parsed.info, code: 0 }
  }
  const ops: CheckOp[] = []
  if (send !== '') ops.push({ op: 'send', data: Buffer.from(send, 'latin1'), step: 1 })
  ops.push({ op: 'expect', step: ops.length + 1, note: '', comment: null, successInfo: '', decide })
  const result = await runProgram({ ops, namesSteps: false }, target, signal)
  return report === undefined ? result : { ...result, agent: report }
}
