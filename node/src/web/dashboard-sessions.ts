import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** How long a login link works, unused. */
export const LOGIN_LINK_TTL_MS = 5 * 60_000
/** How long a dashboard session lasts from its login. */
export const DASHBOARD_SESSION_MS = 12 * 3600_000
/** Most login links open at once, and most sessions: the oldest goes first. */
const MAX_LINKS = 16
const MAX_SESSIONS = 32

export interface DashboardSession {
  /** The session's token: every request of the page carries it in `x-smesh-csrf` beside the cookie (a browser sends cookies to every port of 127.0.0.1; the token stays in the page's own origin). */
  csrf: string
  createdAt: number
  expiresAt: number
}

export class DashboardLoginError extends Error {
  static override readonly name = 'DashboardLoginError'
  override readonly name = 'DashboardLoginError'
  readonly hint = 'make a new link with: smesh dashboard (a link works once, for 5 minutes)'
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex')

/**
 * The dashboard's logins, in memory only (a restart ends every session): a
 * one-time link secret is exchanged once for a session id, which the browser
 * keeps as an HttpOnly, SameSite=Strict cookie. Only hashes of either are
 * kept, so neither can be read back from the node.
 */
export class DashboardSessions {
  private readonly links = new Map<string, number>()
  private readonly sessions = new Map<string, DashboardSession>()

  constructor (private readonly now: () => number = Date.now) {}

  /** A new one-time login secret. */
  createLink (): { secret: string, expiresAt: number } {
    this.sweep()
    const secret = randomBytes(32).toString('base64url')
    const expiresAt = this.now() + LOGIN_LINK_TTL_MS
    this.links.set(hashOf(secret), expiresAt)
    while (this.links.size > MAX_LINKS) this.links.delete(this.links.keys().next().value as string)
    return { secret, expiresAt }
  }

  /** Spends a login secret: a session id (the cookie's value) and the session; a used, expired or unknown secret is a DashboardLoginError. */
  exchange (secret: unknown): { id: string, session: DashboardSession } {
    this.sweep()
    if (typeof secret !== 'string' || secret.length < 16 || secret.length > 128) throw new DashboardLoginError('the login link is malformed')
    const h = hashOf(secret)
    const expiresAt = this.links.get(h)
    // deleted before anything else: a second use of the link fails even if this one does
    this.links.delete(h)
    if (expiresAt == null) throw new DashboardLoginError('this login link was already used or has expired')
    const id = randomBytes(32).toString('base64url')
    const now = this.now()
    const session = { csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + DASHBOARD_SESSION_MS }
    this.sessions.set(hashOf(id), session)
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string)
    return { id, session }
  }

  /** The live session of a cookie value, if any. */
  session (id: string | undefined): DashboardSession | undefined {
    if (id == null || id.length > 128) return undefined
    const s = this.sessions.get(hashOf(id))
    if (s == null) return undefined
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(hashOf(id))
      return undefined
    }
    return s
  }

  /** Whether a request's CSRF header is the session's token. */
  csrfMatches (session: DashboardSession, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false
    const a = Buffer.from(header)
    const b = Buffer.from(session.csrf)
    return a.byteLength === b.byteLength && timingSafeEqual(a, b)
  }

  /** Whether a session is still on (not ended, not expired). */
  live (session: DashboardSession): boolean {
    return session.expiresAt > this.now() && [...this.sessions.values()].includes(session)
  }

  end (id: string | undefined): void {
    if (id != null) this.sessions.delete(hashOf(id))
  }

  /** Ends every session and spends every open link; returns how many sessions ended. */
  endAll (): number {
    const n = this.sessions.size
    this.sessions.clear()
    this.links.clear()
    return n
  }

  get count (): number {
    this.sweep()
    return this.sessions.size
  }

  private sweep (): void {
    const now = this.now()
    for (const [h, at] of this.links) if (at <= now) this.links.delete(h)
    for (const [h, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(h)
  }
}
