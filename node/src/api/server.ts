import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { lstat, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { once } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DashboardHttp, EVENTS_PATH, LOGIN_PATH, LOGOUT_PATH, isDashboardPath } from '../web/dashboard-http.js'
import type { DashboardSession, DashboardSessions } from '../web/dashboard-sessions.js'

export interface RouteContext {
  req: IncomingMessage
  url: URL
  /** The parsed JSON body of a POST. */
  body: unknown
  /** Aborted when the client goes away. */
  signal: AbortSignal
  /** The dashboard session of a browser's request (cookie and CSRF checked); absent for bearer-token clients. */
  session?: DashboardSession
}

export type RouteHandler = (ctx: RouteContext) => unknown | Promise<unknown>

/** A route may answer with a stream (bundle export, NDJSON progress, follow) instead of one JSON value. */
export class StreamResponse {
  constructor (readonly contentType: string, readonly source: AsyncIterable<Uint8Array | string>, readonly headers: Record<string, string> = {}) {}
}

/** Largest request body the API reads. */
export const MAX_REQUEST_BODY = 256 * 1024

/** HTTP status for a typed error a handler throws; its message and hint go to the client. */
const ERROR_STATUS: Record<string, number> = {
  InvalidBodyError: 400,
  InvalidEntryError: 400,
  NotFoundError: 404,
  ChainUnconfirmedError: 503,
  BusStoppedError: 503,
  InviteError: 400,
  AdmissionRefusedError: 403,
  StorageFullError: 507,
  ApprovalError: 403,
  NotAuthorizedError: 403,
  PolicyBlockedError: 403,
  KeyError: 400,
  InvalidTaskError: 400,
  ResidencyError: 403,
  TaskFailedError: 503
}

export interface ControlApiInit {
  host: string
  port: number
  socket?: string
  /** By path: a handler for GET, or handlers by method. */
  routes: Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>>
  onError?: (err: Error) => void
  /** The dashboard's logins: with them the node serves its dashboard under /dashboard/ and takes its session cookie. */
  dashboard?: DashboardSessions
}

export interface ControlApi {
  token: string
  url: string
  socket?: string
  close: () => Promise<void>
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

function digest (s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

/**
 * The local control API: JSON over HTTP on a loopback TCP port (and
 * optionally a Unix socket). Every request needs the bearer token; requests
 * with an Origin header (browsers) or a non-loopback Host (DNS rebinding) are
 * refused before the token is even looked at.
 */
export async function startControlApi (init: ControlApiInit): Promise<ControlApi> {
  const token = randomBytes(32).toString('base64url')
  const expected = digest(`Bearer ${token}`)
  let tcpPort = 0
  const dashboard = init.dashboard != null ? new DashboardHttp(init.dashboard, () => tcpPort) : undefined

  const handler = (viaSocket: boolean) => async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      const text = body === undefined ? '' : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(text),
        ...headers
      })
      res.end(text)
    }
    const host = req.headers.host ?? ''
    const hostname = host.replace(/:\d+$/, '')
    const port = host.slice(hostname.length + 1)
    if (!LOOPBACK_HOSTS.has(hostname) || (!viaSocket && port !== String(tcpPort))) {
      send(403, { error: 'the Host header must name this loopback address' })
      return
    }
    // a browser names the page's origin: only the dashboard's own page (this very address) may call;
    // the page itself (it holds no secret) may be opened from a link anywhere
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const origin = req.headers.origin
    const site = req.headers['sec-fetch-site']
    const navigation = req.method === 'GET' && req.headers['sec-fetch-mode'] === 'navigate' && isDashboardPath(path)
    if ((origin !== undefined && (dashboard == null || viaSocket || origin !== `http://${host}`)) || (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation)) {
      send(403, { error: 'requests from another origin are refused' })
      return
    }
    if (dashboard != null && !viaSocket) {
      if (isDashboardPath(path)) {
        await dashboard.serveAsset(req, res, path).catch((err: Error) => { init.onError?.(err); res.destroy() })
        return
      }
      if (path === LOGIN_PATH && req.method === 'POST') {
        try {
          dashboard.login(await readJson(req), res)
        } catch (err: any) {
          send(err instanceof RequestBodyError ? err.status : 500, { error: err.message })
        }
        return
      }
    }
    let session: DashboardSession | undefined
    const auth = req.headers.authorization
    const sessionId = auth === undefined && dashboard != null && !viaSocket ? dashboard.sessionId(req) : undefined
    if (dashboard != null && sessionId !== undefined) {
      session = dashboard.sessions.session(sessionId)
      if (session == null) {
        send(401, { error: 'the dashboard session has ended', hint: 'open a new login link with: smesh dashboard' })
        return
      }
      // SameSite=Strict keeps other sites' requests from carrying the cookie, but a browser sends it to
      // every port of 127.0.0.1: the page's token (in its own origin's storage) is needed for every request too.
      // An EventSource cannot set a header: the live feed takes it in the query.
      const token = req.headers['x-smesh-csrf'] ?? (path === EVENTS_PATH && req.method === 'GET' ? url.searchParams.get('csrf') ?? undefined : undefined)
      if (!dashboard.sessions.csrfMatches(session, token)) {
        send(403, { error: 'a dashboard request needs its session\'s token in x-smesh-csrf', hint: 'reload the dashboard, or open a new login link with: smesh dashboard' })
        return
      }
      if (path === LOGOUT_PATH && req.method === 'POST') {
        dashboard.logout(req, res)
        return
      }
    } else if (!timingSafeEqual(digest(auth ?? ''), expected)) {
      send(401, undefined, { 'www-authenticate': 'Bearer' })
      return
    }
    const route = init.routes[url.pathname]
    if (route == null) {
      send(404, { error: `no such endpoint ${url.pathname}` })
      return
    }
    const methods: Partial<Record<string, RouteHandler>> = typeof route === 'function' ? { GET: route } : route
    const handle = methods[req.method ?? '']
    if (handle == null) {
      const allow = Object.keys(methods).join(', ')
      send(405, { error: `${req.method ?? ''} is not allowed on ${url.pathname}` }, { allow })
      return
    }
    const controller = new AbortController()
    res.once('close', () => { controller.abort() })
    try {
      const body = req.method === 'POST' ? await readJson(req) : undefined
      const result = await handle({ req, url, body, signal: controller.signal, ...(session != null ? { session } : {}) })
      if (result instanceof StreamResponse) {
        await sendStream(res, result, controller.signal)
        return
      }
      send(200, result)
    } catch (err: any) {
      const status = err instanceof RequestBodyError ? err.status : ERROR_STATUS[err?.name] ?? 500
      if (status === 500) init.onError?.(err)
      if (res.headersSent) {
        res.destroy(err)
        return
      }
      send(status, { error: err.message ?? 'internal error', name: err.name, ...(typeof err.code === 'string' ? { code: err.code } : {}), ...(err.hint != null ? { hint: err.hint } : {}) })
    }
  }

  const servers: Server[] = []
  const listen = async (server: Server, ...args: unknown[]): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(...(args as [number, string]), () => {
        server.off('error', reject)
        resolve()
      })
    })
  }
  // a client that sends its request slowly (slow-loris) is cut off: the timeouts are checked every second
  const tcp = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req, res) => { handler(false)(req, res).catch((err: Error) => { init.onError?.(err); res.destroy() }) })
  await listen(tcp, init.port, init.host)
  servers.push(tcp)
  tcpPort = (tcp.address() as AddressInfo).port

  if (init.socket != null) {
    try {
      await clearStaleSocket(init.socket)
      const unix = createServer((req, res) => { handler(true)(req, res).catch((err: Error) => { init.onError?.(err); res.destroy() }) })
      const oldMask = process.umask(0o177)
      try {
        await listen(unix, init.socket)
      } finally {
        process.umask(oldMask)
      }
      servers.push(unix)
    } catch (err) {
      // what is already listening must not keep the process alive after a failed start
      await closeServer(tcp)
      throw err
    }
  }

  const hostInUrl = init.host.includes(':') ? `[${init.host}]` : init.host
  return {
    token,
    url: `http://${hostInUrl}:${tcpPort}`,
    socket: init.socket,
    close: async () => {
      await Promise.all(servers.map(closeServer))
      if (init.socket != null) await rm(init.socket, { force: true })
    }
  }
}

class RequestBodyError extends Error {
  constructor (message: string, readonly status: number) { super(message) }
}

async function readJson (req: IncomingMessage): Promise<unknown> {
  // a body declared too large is refused before a byte of it is read
  if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BODY) throw new RequestBodyError(`request body over ${MAX_REQUEST_BODY} bytes`, 413)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_REQUEST_BODY) throw new RequestBodyError(`request body over ${MAX_REQUEST_BODY} bytes`, 413)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RequestBodyError('request body is not JSON', 400)
  }
}

async function sendStream (res: ServerResponse, out: StreamResponse, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': out.contentType, 'cache-control': 'no-store', ...out.headers })
  for await (const chunk of out.source) {
    if (signal.aborted) return
    // a long stream (the dashboard's feed) waits for many drains: no listener may outlive its wait
    if (!res.write(chunk)) await once(res, 'drain', { signal }).catch(() => {})
  }
  res.end()
}

async function closeServer (server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => { resolve() }))
}

export class SocketPathError extends Error {
  static override readonly name = 'SocketPathError'
  override readonly name = 'SocketPathError'
  readonly exitCode = 1
  constructor (message: string, readonly hint: string) {
    super(message)
  }
}

/**
 * Removes a Unix socket left by a node that died, and nothing else: a path
 * that is not a socket, or a socket another process still answers on, is an error.
 */
async function clearStaleSocket (path: string): Promise<void> {
  const info = await lstat(path).catch((err: any) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (info == null) return
  if (!info.isSocket()) {
    throw new SocketPathError(`--api-socket ${path} exists and is not a socket`, 'choose a path that does not exist yet; smesh never deletes other files')
  }
  const live = await new Promise<boolean>(resolve => {
    const sock = connect(path)
    sock.once('connect', () => { sock.destroy(); resolve(true) })
    sock.once('error', () => { resolve(false) })
  })
  if (live) {
    throw new SocketPathError(`another process is serving on the control socket ${path}`, 'stop that node first, or give this one another --api-socket')
  }
  await rm(path, { force: true })
}

/** The document a GET route answers, called in process (the dashboard's live views, the read protocol's views). */
export async function getView (routes: ControlApiInit['routes'], path: string, params: Record<string, string> = {}, signal: AbortSignal = new AbortController().signal): Promise<unknown> {
  const route = routes[path]
  const handler = typeof route === 'function' ? route : route?.GET
  if (handler == null) throw new Error(`no GET route ${path}`)
  const url = new URL(`http://localhost${path}`)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return await handler({ req: { headers: {} } as unknown as IncomingMessage, url, body: undefined, signal })
}
