/** Waiting in tests: a plain delay, and polling a condition with a deadline. */

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Polls <cond> every <stepMs> until true or <ms> elapsed; returns whether it became true. */
export async function until (cond: () => boolean, ms: number, stepMs = 20): Promise<boolean> {
  const end = performance.now() + ms
  while (performance.now() < end) { if (cond()) return true; await sleep(stepMs) }
  return cond()
}
