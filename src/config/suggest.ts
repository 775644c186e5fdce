/** "did you mean ... maybe ?" hints, like HAProxy's: compare the letter-pair
 *  fingerprints of the unknown word and each candidate, keep the closest one
 *  when it is close enough to be a plausible typo. */

function fingerprint (word: string): Map<string, number> {
  const fp = new Map<string, number>()
  const w = `^${word.toLowerCase()}$`
  for (let i = 0; i + 1 < w.length; i++) {
    const pair = w.slice(i, i + 2)
    fp.set(pair, (fp.get(pair) ?? 0) + 1)
  }
  return fp
}

function distance (a: Map<string, number>, b: Map<string, number>): number {
  let d = 0
  for (const [k, n] of a) d += Math.abs(n - (b.get(k) ?? 0))
  for (const [k, n] of b) if (!a.has(k)) d += n
  return d
}

/** Closest of <candidates> to <word>, or null when none is near enough. */
export function bestMatch (word: string, candidates: Iterable<string>): string | null {
  const fp = fingerprint(word)
  let best: string | null = null
  let bestDist = Infinity
  for (const c of candidates) {
    const d = distance(fp, fingerprint(c))
    if (d < bestDist) { bestDist = d; best = c }
  }
  return best !== null && bestDist <= word.length + 1 ? best : null
}

/** "; did you mean 'x' maybe ?" or "" */
export function didYouMean (word: string, candidates: Iterable<string>): string {
  const m = bestMatch(word, candidates)
  return m === null ? '' : `; did you mean '${m}' maybe ?`
}
