/** Seed 003's rule (HAProxy's author, on a swapping websocket farm): a proxy
 *  needs about (2·bufsize + 2 kB) per connection for itself plus at least
 *  4 × 4 kB of kernel socket memory (two sockets, each with send and receive
 *  queues). pocketlb does not allocate whole buffers per connection, so this
 *  is a ceiling, which is what a RAM budget needs. */

const PROXY_OVERHEAD = 2048
const KERNEL_PER_CONN = 4 * 4096

export function bytesPerConnection (bufsize: number): number {
  return 2 * bufsize + PROXY_OVERHEAD + KERNEL_PER_CONN
}

/** Memory <maxconn> connections may take with buffers of <bufsize>. */
export function connectionMemory (maxconn: number, bufsize: number): number {
  return maxconn * bytesPerConnection(bufsize)
}

/** Largest maxconn whose connections fit in <budgetBytes>. */
export function maxconnFitting (budgetBytes: number, bufsize: number): number {
  return Math.floor(budgetBytes / bytesPerConnection(bufsize))
}
