import { h, mount } from './dom.ts'
import { get, setCsrf } from './api.ts'
import { setupPage, loginPage } from './page-auth.ts'
import { dashboardPage } from './page-dashboard.ts'
import { servicesPage } from './page-services.ts'
import { configPage } from './page-config.ts'
import { logsPage } from './page-logs.ts'
import { templatesPage } from './page-templates.ts'
import { statsPage } from './page-stats.ts'
import { systemPage } from './page-system.ts'
import { vrrpPage } from './page-vrrp.ts'
import { l4Page } from './page-l4.ts'
import { observePage } from './page-observe.ts'
import { logout } from './page-auth.ts'

/** A page draws itself into <root> and returns its cleanup (timers, streams). */
export type Page = (root: HTMLElement) => (() => void)

const PAGES: readonly [string, string, Page][] = [
  ['dashboard', 'Dashboard', dashboardPage],
  ['services', 'Services', servicesPage],
  ['config', 'Config', configPage],
  ['logs', 'Logs', logsPage],
  ['templates', 'Templates', templatesPage],
  ['stats', 'Stats', statsPage],
  ['vrrp', 'VRRP', vrrpPage],
  ['l4', 'L4', l4Page],
  ['observe', 'Observe', observePage],
  ['system', 'System', systemPage]
]

let cleanup: () => void = () => {}
/** WHY: a hash change and an explicit call can overlap; only the newest may draw (a stale page's timers would redraw over it) */
let routing = 0

/** Decides between first start, login and the pages, from the session state. */
export async function route (): Promise<void> {
  const mine = ++routing
  cleanup(); cleanup = () => {}
  const main = document.getElementById('main')!
  const nav = document.getElementById('nav')!
  const who = document.getElementById('who')!
  const state = await get<{ setupRequired: boolean; user: string | null; csrf: string | null }>('/api/auth/state')
  if (mine !== routing) return
  setCsrf(state.csrf)
  if (state.setupRequired || state.user === null) {
    mount(nav); mount(who)
    cleanup = (state.setupRequired ? setupPage : loginPage)(main)
    return
  }
  const name = location.hash.replace(/^#\/?/, '') || 'dashboard'
  const page = PAGES.find(p => p[0] === name) ?? PAGES[0]
  mount(nav, PAGES.map(([id, label]) => h('a', { href: `#/${id}`, class: id === page[0] ? 'on' : undefined, id: `nav-${id}` }, label)))
  mount(who, state.user, ' ', h('button', { onclick: () => { void logout() } }, 'Log out'))
  cleanup = page[2](main)
}

window.addEventListener('hashchange', () => { void route() })
void route()
