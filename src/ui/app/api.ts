/** The browser side of the JSON API: same-origin fetch, the session's CSRF
 *  token on every change, errors as exceptions carrying the server's message. */
let csrf: string | null = null

export function setCsrf (token: string | null): void { csrf = token }

export class ApiError extends Error {
  constructor (readonly status: number, message: string, readonly body: unknown) { super(message) }
}

async function call<T> (method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrf !== null) headers['x-csrf-token'] = csrf
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
  const data: unknown = r.headers.get('content-type')?.includes('json') === true ? await r.json() : await r.text()
  if (!r.ok) throw new ApiError(r.status, (data as { error?: string; message?: string })?.error ?? (data as { message?: string })?.message ?? r.statusText, data)
  return data as T
}

export const get = <T>(url: string): Promise<T> => call<T>('GET', url)
export const post = <T>(url: string, body: unknown = {}): Promise<T> => call<T>('POST', url, body)
