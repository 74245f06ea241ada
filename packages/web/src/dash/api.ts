// The dashboard's calls to its node's control API: same origin, the session
// cookie (HttpOnly: never seen by this code), and the session's token on
// every request. A browser sends the cookie to every port of 127.0.0.1; the
// token lives in this origin's storage, which no other port can read.

const TOKEN_KEY = 'smesh-dashboard-token'

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
    const res = await fetch(path, { credentials: 'same-origin', headers: { 'x-smesh-csrf': this.csrf }, ...(signal != null ? { signal } : {}) })
    if (!res.ok) return await fail(res)
    return await res.json() as T
  }

  async post <T> (path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-smesh-csrf': this.csrf }, body: JSON.stringify(body) })
    if (!res.ok) return await fail(res)
    return await res.json() as T
  }

  /** The live feed's URL: an EventSource cannot send a header, so the token rides in the query. */
  get eventsUrl (): string {
    return `/v1/dashboard/events?csrf=${encodeURIComponent(this.csrf)}`
  }

  /** Logs out: the session ends on the node, and the token is forgotten here. */
  async logout (): Promise<void> {
    localStorage.removeItem(TOKEN_KEY)
    await this.post('/v1/dashboard/logout').catch(() => {})
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
 * bar at once) it is spent for a session cookie and token; otherwise the
 * token of an earlier login (kept in this origin's localStorage) is used,
 * if its session is still on.
 */
export async function login (): Promise<DashApi> {
  const m = /^#login=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m != null) {
    history.replaceState(null, '', location.pathname)
    const res = await fetch('/v1/dashboard/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: m[1] }) })
    if (!res.ok) return await fail(res)
    const csrf = (await res.json() as { csrf: string }).csrf
    localStorage.setItem(TOKEN_KEY, csrf)
    return new DashApi(csrf)
  }
  const hint = 'run smesh dashboard on this machine: it opens a one-time login link'
  const saved = localStorage.getItem(TOKEN_KEY)
  if (saved == null) throw new ApiError('not logged in', 401, hint)
  const api = new DashApi(saved)
  try {
    await api.get('/v1/dashboard/session')
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      localStorage.removeItem(TOKEN_KEY)
      throw new ApiError('the dashboard session has ended', 401, hint)
    }
    throw err
  }
  return api
}
