import { h, mount } from './dom.ts'
import { post, setCsrf, ApiError } from './api.ts'
import { route } from './main.ts'

function form (root: HTMLElement, title: string, intro: string, fields: HTMLInputElement[], submit: string, send: () => Promise<{ csrf: string }>): () => void {
  const msg = h('p', { class: 'err', id: 'auth-error' })
  const f = h('form', { class: 'box' }, h('h2', {}, title), h('p', { class: 'mute' }, intro), fields.map(i => h('label', {}, i.placeholder, h('br'), i)), h('button', { type: 'submit', id: 'auth-submit' }, submit), msg)
  f.addEventListener('submit', e => {
    e.preventDefault()
    send().then(r => { setCsrf(r.csrf); location.hash = '#/dashboard'; void route() },
      (err: unknown) => { msg.textContent = err instanceof ApiError ? err.message : String(err) })
  })
  mount(root, f)
  fields[0].focus()
  return () => {}
}

/** First start: no admin yet. The setup token is printed on the device's console. */
export function setupPage (root: HTMLElement): () => void {
  const token = h('input', { id: 'setup-token', placeholder: 'Setup token (printed on the console)', autocomplete: 'off' })
  const pw = h('input', { id: 'setup-password', type: 'password', placeholder: 'New admin password (8+ characters)', autocomplete: 'new-password' })
  const pw2 = h('input', { id: 'setup-password2', type: 'password', placeholder: 'Repeat the password', autocomplete: 'new-password' })
  return form(root, 'Set the admin password', 'pocketlb has no default password. Enter the setup token shown on the console when pocketlb started, then choose the admin password.',
    [token, pw, pw2], 'Set password', async () => {
      if (pw.value !== pw2.value) throw new Error('the two passwords differ')
      return post('/api/auth/setup', { token: token.value.trim(), password: pw.value })
    })
}

export function loginPage (root: HTMLElement): () => void {
  const user = h('input', { id: 'login-user', placeholder: 'User', value: 'admin', autocomplete: 'username' })
  const pw = h('input', { id: 'login-password', type: 'password', placeholder: 'Password', autocomplete: 'current-password' })
  return form(root, 'Log in', '', [user, pw], 'Log in', () => post('/api/auth/login', { user: user.value, password: pw.value }))
}

export async function logout (): Promise<void> {
  await post('/api/auth/logout').catch(() => {})
  setCsrf(null)
  location.hash = ''
  await route()
}
