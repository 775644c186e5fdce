import type { Balancer, BalanceOpts, LbServer } from '../../../src/balance/types.ts'

export function servers (weights: readonly number[], backups: readonly number[] = []): LbServer[] {
  return weights.map((w, i) => ({
    id: i + 1, name: `s${i + 1}`, backup: backups.includes(i + 1), weight: w, usable: true, cur: 0, maxconn: 0
  }))
}

export const opts: BalanceOpts = { hashMethod: 'map-based', draws: 2, rand: Math.random }

/** Names of <n> successive picks with <key>, connections released at once. */
export function picks (b: Balancer, n: number, key = -1, avoid: LbServer | null = null): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const s = b.pick(key, avoid)
    out.push(s === null ? '-' : s.name)
  }
  return out
}

export function counts (names: readonly string[]): Record<string, number> {
  const c: Record<string, number> = {}
  for (const n of names) c[n] = (c[n] ?? 0) + 1
  return c
}
