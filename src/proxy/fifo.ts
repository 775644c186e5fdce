/** FIFO of waiters with O(1) push/shift and O(1) removal of a known entry
 *  (queued streams leave on timeout or client abort). Entries carry their own
 *  links so no node objects are allocated. */
export interface FifoEntry {
  fifoPrev: FifoEntry | null
  fifoNext: FifoEntry | null
  fifoOwner: Fifo<FifoEntry> | null
}

export class Fifo<T extends FifoEntry> {
  private head: T | null = null
  private tail: T | null = null
  length = 0

  push (e: T): void {
    e.fifoPrev = this.tail; e.fifoNext = null; e.fifoOwner = this as unknown as Fifo<FifoEntry>
    if (this.tail !== null) this.tail.fifoNext = e
    else this.head = e
    this.tail = e
    this.length++
  }

  shift (): T | null {
    const e = this.head
    if (e !== null) this.remove(e)
    return e
  }

  peek (): T | null { return this.head }

  remove (e: T): void {
    if (e.fifoOwner !== (this as unknown as Fifo<FifoEntry>)) return
    if (e.fifoPrev !== null) e.fifoPrev.fifoNext = e.fifoNext
    else this.head = e.fifoNext as T | null
    if (e.fifoNext !== null) e.fifoNext.fifoPrev = e.fifoPrev
    else this.tail = e.fifoPrev as T | null
    e.fifoPrev = null; e.fifoNext = null; e.fifoOwner = null
    this.length--
  }
}
