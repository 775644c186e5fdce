/** The `nft` command: transactions on stdin (`nft -f -`), dry runs (`nft -c`)
 *  and counter reads (`nft -j list counters`). Only our tables (L4_TABLE, DR_TABLE) are read. */
import { spawn } from 'node:child_process'
import { L4_TABLE } from './nft-ruleset.ts'
import { DR_TABLE } from './dr-ruleset.ts'

export interface NftResult { readonly ok: boolean; readonly stdout: string; readonly stderr: string }

const NFT_TIMEOUT_MS = 10_000

/** Runs `nft <args>` with <input> on stdin; a missing binary is a failed result. */
export function nft (args: readonly string[], input = ''): Promise<NftResult> {
  return new Promise(resolve => {
    const child = spawn('nft', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: NFT_TIMEOUT_MS })
    let stdout = ''; let stderr = ''
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    child.on('error', err => { resolve({ ok: false, stdout, stderr: `cannot run nft: ${err.message}` }) })
    child.on('close', code => { resolve({ ok: code === 0, stdout, stderr: stderr.trim() }) })
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}

/** Applies <text> as one transaction (all or nothing); <check> only validates it in the kernel. */
export const nftApply = (text: string, check = false): Promise<NftResult> => nft(check ? ['-c', '-f', '-'] : ['-f', '-'], text)

export interface CounterValue { readonly packets: number; readonly bytes: number }

/** Named counters of our tables (NAT and DR) by name; empty when they are absent. */
export async function readCounters (): Promise<Map<string, CounterValue>> {
  const out = new Map<string, CounterValue>()
  const r = await nft(['-j', 'list', 'counters'])
  if (!r.ok) return out
  const doc = JSON.parse(r.stdout) as { nftables?: { counter?: { name: string; table: string; family: string; packets: number; bytes: number } }[] }
  for (const o of doc.nftables ?? []) {
    const c = o.counter
    if (c && ((c.family === 'ip' && c.table === L4_TABLE) || (c.family === 'netdev' && c.table === DR_TABLE))) out.set(c.name, { packets: c.packets, bytes: c.bytes })
  }
  return out
}

/** True when our table exists (tests, stop). */
export async function tableExists (): Promise<boolean> {
  return (await nft(['list', 'table', 'ip', L4_TABLE])).ok
}
