/** The `nft` command: transactions on stdin (`nft -f -`), dry runs (`nft -c`)
 *  and counter reads (`nft -j list counters`). Only the table L4_TABLE is named. */
import { spawn } from 'node:child_process'
import { L4_TABLE } from './nft-ruleset.ts'

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

/** Named counters of our table by name; empty when the table is absent. */
export async function readCounters (): Promise<Map<string, CounterValue>> {
  const out = new Map<string, CounterValue>()
  const r = await nft(['-j', 'list', 'counters', 'table', 'ip', L4_TABLE])
  if (!r.ok) return out
  const doc = JSON.parse(r.stdout) as { nftables?: { counter?: { name: string; packets: number; bytes: number } }[] }
  for (const o of doc.nftables ?? []) if (o.counter) out.set(o.counter.name, { packets: o.counter.packets, bytes: o.counter.bytes })
  return out
}

/** True when our table exists (tests, stop). */
export async function tableExists (): Promise<boolean> {
  return (await nft(['list', 'table', 'ip', L4_TABLE])).ok
}
