export interface DiffLine { readonly op: ' ' | '+' | '-'; readonly text: string }

/** Line diff of <a> → <b> (longest common subsequence; configs are small). */
export function diffLines (a: string, b: string): DiffLine[] {
  const x = a.split('\n'), y = b.split('\n')
  if (x.length * y.length > 4_000_000) return [...x.map(t => ({ op: '-' as const, text: t })), ...y.map(t => ({ op: '+' as const, text: t }))]
  const n = x.length, m = y.length
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
  const out: DiffLine[] = []
  let i = 0, j = 0
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: ' ', text: x[i] }); i++; j++ } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', text: x[i++] })
    else out.push({ op: '+', text: y[j++] })
  }
  while (i < n) out.push({ op: '-', text: x[i++] })
  while (j < m) out.push({ op: '+', text: y[j++] })
  return out
}
