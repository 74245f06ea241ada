// The dashboard's calls to its node's control API: same origin, the session
// cookie (HttpOnly: never seen by this code), and the CSRF token on every
// state-changing request.

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor (message: string, readonly status: number, readonly hint?: string) { super(message) }
}

async function fail (res: Response): Promise<never> {
  const b = await res.json().catch(() => ({})) as { error?: string, hint?: string }
  throw new ApiError(b.error ?? `${res.status} ${res.statusText}`, res.status, b.hint)
}

export class DashApi {
  constructor (readonly csrf: string) {}

  async get <T> (path: string, signal?: AbortSignal): Promise<T> {
    const res = await fetch(path, { credentials: 'same-origin', ...(signal != null ? { signal } : {}) })
    if (!res.ok) return await fail(res)
    return await res.json() as T
  }

  async post <T> (path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-smesh-csrf': this.csrf }, body: JSON.stringify(body) })
    if (!res.ok) return await fail(res)
    return await res.json() as T
  }

  /** POSTs and reads the NDJSON answer line by line (a task's events). */
  async stream (path: string, body: unknown, onLine: (o: unknown) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-smesh-csrf': this.csrf }, body: JSON.stringify(body), signal })
    if (!res.ok || res.body == null) return await fail(res)
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    while (true) {
      const { value, done } = await reader.read()
      if (done) break
      buf += value
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim()
        buf = buf.slice(nl + 1)
        if (line !== '') onLine(JSON.parse(line))
      }
    }
  }
}

/**
 * Logs in: with a one-time link (`#login=SECRET`, dropped from the address
 * bar at once) it is spent for a session cookie; otherwise the cookie of an
 * earlier login is used, if it is still good.
 */
export async function login (): Promise<DashApi> {
  const m = /^#login=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m != null) {
    history.replaceState(null, '', location.pathname)
    const res = await fetch('/v1/dashboard/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: m[1] }) })
    if (!res.ok) return await fail(res)
    return new DashApi((await res.json() as { csrf: string }).csrf)
  }
  const res = await fetch('/v1/dashboard/session', { credentials: 'same-origin' })
  if (res.status === 401) throw new ApiError('not logged in', 401, 'run smesh dashboard on this machine: it opens a one-time login link')
  if (!res.ok) return await fail(res)
  const s = await res.json() as { csrf: string | null }
  if (s.csrf == null) throw new ApiError('not logged in', 401, 'run smesh dashboard on this machine: it opens a one-time login link')
  return new DashApi(s.csrf)
}
