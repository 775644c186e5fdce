import { h, mount } from './dom.ts'
import { get } from './api.ts'
import { lineChart } from './chart.ts'

interface Point { t: number; reqRate: number; connRate: number; errRate: number; bytesInRate: number; bytesOutRate: number; actconn: number }

/** Charts from the stored history (10 s averages for the last hour, 1 min for the last day). */
export function statsPage (root: HTMLElement): () => void {
  const draw = (): void => {
    Promise.all([get<Point[]>(`/api/stats/history?period=10&since=${Date.now() - 3600_000}`), get<Point[]>(`/api/stats/history?period=60&since=${Date.now() - 86400_000}`)]).then(([ten, min]) => {
      const charts = (pts: Point[]): HTMLElement => h('div', { class: 'cards' },
        (['reqRate', 'connRate', 'errRate', 'bytesOutRate', 'actconn'] as const).map(k => h('div', { class: 'card' }, h('h3', {}, k), lineChart(pts.map(p => p[k]), { width: 260, height: 70 }))))
      mount(root, h('h2', {}, `Last hour (10 s averages, ${ten.length} points)`), charts(ten), h('h2', {}, `Last day (1 min averages, ${min.length} points)`), charts(min))
    }, () => {})
  }
  draw()
  const t = setInterval(draw, 10_000)
  return () => clearInterval(t)
}
