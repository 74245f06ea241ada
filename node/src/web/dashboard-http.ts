import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseCookie, stringifySetCookie } from 'cookie'
import { DASHBOARD_SESSION_MS, DashboardLoginError } from './dashboard-sessions.js'
import { pageCsp, sendPageFile, webAssetsDir } from './page-server.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DashboardSession, DashboardSessions } from './dashboard-sessions.js'

/**
 * The dashboard's page: scripts, styles and connections (fetch and
 * Server-Sent Events) to this node's own control API only; no frames, forms,
 * plugins or referrers.
 */
export const DASHBOARD_CSP = pageCsp({ script: "'self'", connect: "'self'" })

const ASSETS: Record<string, { file: string, type: string }> = {
  '/dashboard': { file: 'dash.html', type: 'text/html; charset=utf-8' },
  '/dashboard/': { file: 'dash.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dash.js': { file: 'dash.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dash.css': { file: 'dash.css', type: 'text/css; charset=utf-8' }
}

export const isDashboardPath = (path: string): boolean => path === '/dashboard' || path.startsWith('/dashboard/')

/** Where a browser logs in (POST, with the link's secret) and out. */
export const LOGIN_PATH = '/v1/dashboard/login'
export const LOGOUT_PATH = '/v1/dashboard/logout'
/** The live feed (an EventSource: its token rides in the query). */
export const EVENTS_PATH = '/v1/dashboard/events'

type Asset = { body: Buffer, type: string } | { missing: string }

/**
 * The dashboard's side of the control API: its bundled files (read once, on
 * first use, from @smesh/web's dist/app), its login and logout, and the
 * session a request's cookie names.
 */
export class DashboardHttp {
  private assets?: Promise<Map<string, Asset>>

  constructor (readonly sessions: DashboardSessions, private readonly port: () => number) {}

  /** The cookie's name carries the port: cookies are per host, and two nodes of one machine share 127.0.0.1. */
  get cookieName (): string {
    return `smesh_dash_${this.port()}`
  }

  /** The session id of a request's cookie, if any. */
  sessionId (req: IncomingMessage): string | undefined {
    const header = req.headers.cookie
    if (header == null || header.length > 8192) return undefined
    return parseCookie(header)[this.cookieName]
  }

  async serveAsset (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const a = (await this.load()).get(path)
    if (a != null && 'missing' in a) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(`the dashboard is not built: ${a.missing} is missing. Build it with: npm run build\n`)
      return
    }
    sendPageFile(req, res, DASHBOARD_CSP, a)
  }

  /** POST /v1/dashboard/login {secret}: the secret is spent, a session cookie set; answers the session's CSRF token. */
  login (body: unknown, res: ServerResponse): void {
    const secret = typeof body === 'object' && body != null ? (body as Record<string, unknown>).secret : undefined
    let id: string, session: DashboardSession
    try {
      ({ id, session } = this.sessions.exchange(secret))
    } catch (err) {
      if (!(err instanceof DashboardLoginError)) throw err
      send(res, 403, { error: err.message, name: err.name, hint: err.hint })
      return
    }
    const cookie = stringifySetCookie({ name: this.cookieName, value: id, httpOnly: true, sameSite: 'strict', path: '/', maxAge: DASHBOARD_SESSION_MS / 1000 })
    send(res, 200, { csrf: session.csrf, expiresAt: session.expiresAt }, { 'set-cookie': cookie })
  }

  logout (req: IncomingMessage, res: ServerResponse): void {
    this.sessions.end(this.sessionId(req))
    const cookie = stringifySetCookie({ name: this.cookieName, value: '', httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 })
    send(res, 200, { loggedOut: true }, { 'set-cookie': cookie })
  }

  private async load (): Promise<Map<string, Asset>> {
    this.assets ??= (async () => {
      const dir = webAssetsDir()
      const out = new Map<string, Asset>()
      for (const [path, f] of Object.entries(ASSETS)) {
        const file = join(dir, f.file)
        out.set(path, await readFile(file).then(body => ({ body, type: f.type }), () => ({ missing: file })))
      }
      return out
    })()
    return await this.assets
  }
}

function send (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}
