/** Tiny DOM helpers: elements from tag, attributes and children (no framework). */
type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.slice(2), v)
    else if (k === 'value') (el as HTMLInputElement).value = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c))
  return el
}

export function mount (root: HTMLElement, ...children: (Child | Child[])[]): void {
  root.replaceChildren()
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) root.append(typeof c === 'object' ? c : String(c))
}

export function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400), hh = Math.floor(s / 3600) % 24, mm = Math.floor(s / 60) % 60
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${mm}m` : `${mm}m ${s % 60}s`
}
