/** A small inline SVG line chart (no chart library): <values> scaled to the box. */
export function lineChart (values: readonly number[], opts: { width?: number; height?: number; label?: string } = {}): SVGSVGElement {
  const w = opts.width ?? 300, hgt = opts.height ?? 60
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('class', 'chart')
  svg.setAttribute('width', String(w)); svg.setAttribute('height', String(hgt))
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`)
  const max = Math.max(1, ...values)
  const step = values.length > 1 ? w / (values.length - 1) : w
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(hgt - 4 - (v / max) * (hgt - 16)).toFixed(1)}`).join(' ')
  const line = document.createElementNS(ns, 'polyline')
  line.setAttribute('points', pts)
  svg.append(line)
  const t = document.createElementNS(ns, 'text')
  t.setAttribute('x', '4'); t.setAttribute('y', '11'); t.setAttribute('font-size', '10'); t.setAttribute('fill', '#666')
  t.textContent = `${opts.label ?? ''} max ${Math.round(max * 100) / 100}`
  svg.append(t)
  return svg
}
