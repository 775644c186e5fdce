import type { Limits, TuningInputs } from './types.ts'
import { nodeFlags } from './limits.ts'

const MiB = 1024 * 1024

/** `pocketlb tune`'s text: the profile, the inputs, the limits and why. */
export function formatTune (i: TuningInputs, l: Limits): string {
  const lines = [
    `profile: ${l.profile}`,
    'inputs:',
    `  memory total        ${Math.round(i.memTotalBytes / MiB)} MiB`,
    `  memory available    ${Math.round(i.memAvailableBytes / MiB)} MiB`,
    `  cpu                 ${i.cpuCount} core(s)${i.cpuMHz > 0 ? ` at ${i.cpuMHz} MHz` : ''}`,
    `  power               ${i.power}${i.onBattery ? ' (on battery)' : ''}`,
    `  temperature         ${i.temperatureC === null ? 'no sensor' : `${i.temperatureC} °C`}`,
    `  board               ${i.board === null ? 'none' : `${i.board.name} (${i.board.memoryMiB} MiB, ${i.board.cores} cores, ${i.board.power})`}`,
    'limits:',
    `  maxconn             ${l.maxconn}`,
    `  bufsize             ${l.bufsize}`,
    `  per connection      ${l.bytesPerConn} bytes (2·bufsize + 2 kB + 16 kB kernel)`,
    `  connection budget   ${Math.round(l.connBudgetBytes / MiB)} MiB of ${Math.round(l.ramBytes / MiB)} MiB`,
    `  V8 heap             ${l.heapMiB} MiB (semi-space ${l.semiSpaceMiB} MiB)`,
    `  check intervals     ×${l.checkIntervalFactor}`,
    `  log level           ${l.logLevel} (the highest level log targets send)`,
    `  node flags          ${nodeFlags(l).join(' ')}`,
    'why:',
    ...l.reasons.map(r => `  ${r}`)
  ]
  return lines.join('\n') + '\n'
}
