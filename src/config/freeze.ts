/** Deep freeze for compiled plans: plain objects, arrays and Maps become
 *  read-only so that the proxy cannot change a Plan by mistake (a reload
 *  builds a new one). Functions (compiled predicates) and Buffers are left as
 *  they are: they are owned by the modules that made them. */

function refuse (): never { throw new TypeError('a compiled Plan is read-only') }

export function deepFreeze<T> (value: T): T {
  const seen = new Set<object>()
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || Buffer.isBuffer(v)) return
    seen.add(v)
    if (v instanceof Map) {
      for (const [k, x] of v) { visit(k); visit(x) }
      Object.defineProperties(v, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } })
    } else {
      for (const x of Object.values(v)) visit(x)
    }
    Object.freeze(v)
  }
  visit(value)
  return value
}
