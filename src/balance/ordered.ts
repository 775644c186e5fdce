/** Stand-ins for HAProxy's eb32 trees as the balancers use them: items ordered
 *  by an unsigned 32-bit <key>, equal keys in insertion order (ebtree keeps
 *  duplicates FIFO, which is what makes leastconn rotate among equals).
 *  <seq> carries the insertion order; callers never set it.
 *  KeyHeap: first/insert/remove in O(log n), for fwrr which only needs the head.
 *  KeyList: a sorted array walked in order, for leastconn/first which scan past
 *  saturated servers (O(n) moves on insert, n = servers of one backend). */

export interface KeyedItem {
  key: number
  seq: number
  /** index in the container holding it, -1 when in none */
  slot: number
  /** container holding it, or null */
  holder: KeyHeap<KeyedItem> | KeyList<KeyedItem> | null
}

let insertions = 0

function before (a: KeyedItem, b: KeyedItem): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq)
}

export class KeyHeap<T extends KeyedItem> {
  private readonly items: T[] = []

  get size (): number { return this.items.length }
  first (): T | null { return this.items.length > 0 ? this.items[0]! : null }

  insert (x: T): void {
    x.seq = ++insertions
    x.holder = this as KeyHeap<KeyedItem>
    x.slot = this.items.length
    this.items.push(x)
    this.up(x.slot)
  }

  remove (x: T): void {
    const i = x.slot
    const last = this.items.pop()!
    x.slot = -1
    x.holder = null
    if (last === x) return
    this.items[i] = last
    last.slot = i
    this.up(i)
    this.down(last.slot)
  }

  private up (i: number): void {
    const a = this.items
    const x = a[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(x, a[p]!)) break
      a[i] = a[p]!; a[i]!.slot = i
      i = p
    }
    a[i] = x; x.slot = i
  }

  private down (i: number): void {
    const a = this.items
    const n = a.length
    const x = a[i]!
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      if (c + 1 < n && before(a[c + 1]!, a[c]!)) c++
      if (!before(a[c]!, x)) break
      a[i] = a[c]!; a[i]!.slot = i
      i = c
    }
    a[i] = x; x.slot = i
  }
}

export class KeyList<T extends KeyedItem> {
  private readonly items: T[] = []

  get size (): number { return this.items.length }
  /** <i>th item in key order (0 = lowest), undefined past the end */
  at (i: number): T | undefined { return this.items[i] }

  insert (x: T): void {
    x.seq = ++insertions
    x.holder = this as KeyList<KeyedItem>
    const a = this.items
    let lo = 0
    let hi = a.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (before(a[mid]!, x)) lo = mid + 1
      else hi = mid
    }
    a.push(x)
    for (let i = a.length - 1; i > lo; i--) { a[i] = a[i - 1]!; a[i]!.slot = i }
    a[lo] = x; x.slot = lo
  }

  remove (x: T): void {
    const a = this.items
    for (let i = x.slot; i < a.length - 1; i++) { a[i] = a[i + 1]!; a[i]!.slot = i }
    a.pop()
    x.slot = -1
    x.holder = null
  }
}

/** Removes <x> from whatever holds it (HAProxy eb32_delete); no-op when detached. */
export function detach (x: KeyedItem): void {
  if (x.holder !== null) x.holder.remove(x)
}
