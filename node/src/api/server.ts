import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { lstat, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RouteHandler = (req: IncomingMessage, url: URL) => unknown | Promise<unknown>

export interface ControlApiInit {
  host: string
  port: number
  socket?: string
  routes: Record<string, RouteHandler>
  onError?: (err: Error) => void
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
    if (req.headers.origin !== undefined) {
      send(403, { error: 'requests with an Origin header are refused' })
      return
    }
    const host = req.headers.host ?? ''
    const hostname = host.replace(/:\d+$/, '')
    const port = host.slice(hostname.length + 1)
    if (!LOOPBACK_HOSTS.has(hostname) || (!viaSocket && port !== String(tcpPort))) {
      send(403, { error: 'the Host header must name this loopback address' })
      return
    }
    const auth = req.headers.authorization ?? ''
    if (!timingSafeEqual(digest(auth), expected)) {
      send(401, undefined, { 'www-authenticate': 'Bearer' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = init.routes[url.pathname]
    if (route == null) {
      send(404, { error: `no such endpoint ${url.pathname}` })
      return
    }
    if (req.method !== 'GET') {
      send(405, { error: `${req.method ?? ''} is not allowed on ${url.pathname}` }, { allow: 'GET' })
      return
    }
    try {
      send(200, await route(req, url))
    } catch (err: any) {
      init.onError?.(err)
      send(500, { error: err.message ?? 'internal error' })
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
  const tcp = createServer((req, res) => { void handler(false)(req, res) })
  tcp.requestTimeout = 10_000
  tcp.headersTimeout = 5_000
  await listen(tcp, init.port, init.host)
  servers.push(tcp)
  tcpPort = (tcp.address() as AddressInfo).port

  if (init.socket != null) {
    try {
      await clearStaleSocket(init.socket)
      const unix = createServer((req, res) => { void handler(true)(req, res) })
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
