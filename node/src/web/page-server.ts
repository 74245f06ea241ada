import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import type { Server as TlsServer } from 'node:https'

type Server = HttpServer | TlsServer

/**
 * Every byte the page needs, and nothing from elsewhere: scripts and styles
 * from this node only, connections to WebSockets only (the mesh's nodes),
 * no frames, forms, plugins or referrers.
 */
export const PAGE_CSP = pageCsp({ script: "'self' 'wasm-unsafe-eval'", connect: 'ws: wss:' })

/**
 * A page's Content-Security-Policy: nothing but its own scripts and styles
 * (plus `script`), images of its own or inline data, connections to `connect`;
 * no frames, forms, plugins or base URLs.
 */
export function pageCsp (allow: { script: string, connect: string }): string {
  return [
    "default-src 'none'",
    `script-src ${allow.script}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${allow.connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

const FILES: Record<string, { file: string, type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' }
}

export class WebAssetsMissingError extends Error {
  static override readonly name = 'WebAssetsMissingError'
  override readonly name = 'WebAssetsMissingError'
  readonly hint = 'build them with: npm run build (it bundles packages/web into packages/web/dist/app)'
}

/** The IP hosts of a node's TCP and WebSockets listen addresses (`/ip4/0.0.0.0/tcp/7370` gives 0.0.0.0). */
export function listenHosts (listen: string[]): string[] {
  const hosts = listen.map(a => /^\/ip[46]\/([^/]+)\/tcp\//.exec(a)?.[1]).filter((h): h is string => h != null)
  // a wildcard takes every address already (and another host on the same port would clash with it)
  if (hosts.length === 0 || hosts.some(h => h === '0.0.0.0' || h === '::')) return ['0.0.0.0']
  return [...new Set(hosts)]
}

/** Reads the certificate and key files of `webTlsCert` / `webTlsKey`; a file that cannot be read is a WebTlsError naming it. */
export async function readWebTls (tls: { certFile: string, keyFile: string }): Promise<{ cert: string, key: string }> {
  const read = async (file: string, what: string): Promise<string> => {
    try {
      const text = await readFile(file, 'utf8')
      if (!text.includes('-----BEGIN ')) throw new Error('not a PEM file')
      return text
    } catch (err: any) {
      throw new WebTlsError(`the phone page's ${what} ${file} cannot be used: ${String(err.message)}`, { cause: err })
    }
  }
  return { cert: await read(tls.certFile, 'certificate (webTlsCert)'), key: await read(tls.keyFile, 'key (webTlsKey)') }
}

export class WebTlsError extends Error {
  static override readonly name = 'WebTlsError'
  override readonly name = 'WebTlsError'
  readonly exitCode = 2
  readonly hint = 'webTlsCert and webTlsKey name PEM files (a path relative to the data dir, or absolute): a certificate for the node\'s LAN address and its private key'
}

/** Where the bundled page is: `@smesh/web`'s dist/app. */
export function webAssetsDir (): string {
  return join(dirname(createRequire(import.meta.url).resolve('@smesh/web/package.json')), 'dist', 'app')
}

export interface PageServerInit {
  /** Hosts to listen on (the node's listen hosts). */
  hosts: string[]
  port: number
  /** A certificate and key (PEM): HTTPS instead of plain HTTP. */
  tls?: { cert: string, key: string }
  /** Whether the page is wanted now (phone invites open, a browser member); checked every 30 s while up. */
  wanted: () => Promise<boolean>
  onError?: (err: Error) => void
}

/**
 * The page phones join by: static files (read once, from memory) over plain
 * HTTP on the LAN, up only while it is wanted. It holds no secret: the
 * invite travels in the link's fragment, and the page talks to the mesh over
 * libp2p (network key, Noise) with the PeerId the link names.
 */
export class PageServer {
  private servers: Server[] = []
  private starting?: Promise<number>
  private timer?: ReturnType<typeof setInterval>
  private lastEnsured = 0
  private port = 0

  constructor (private readonly init: PageServerInit) {}

  async wanted (): Promise<boolean> {
    return await this.init.wanted()
  }

  get running (): boolean {
    return this.servers.length > 0
  }

  /** Starts the server if it is not up; returns its port. */
  async ensure (): Promise<number> {
    this.lastEnsured = Date.now()
    this.starting ??= this.start().catch((err) => {
      this.starting = undefined
      throw err
    })
    return await this.starting
  }

  private async start (): Promise<number> {
    const dir = webAssetsDir()
    const files = new Map<string, { body: Buffer, type: string }>()
    for (const [path, f] of Object.entries(FILES)) {
      try {
        files.set(path, { body: await readFile(join(dir, f.file)), type: f.type })
      } catch (err: any) {
        throw new WebAssetsMissingError(`the phone's page is not built: ${join(dir, f.file)} is missing`, { cause: err })
      }
    }
    const port = await this.listenAll(files).catch(async (err: Error) => {
      // a host that could not be taken: the ones already listening close again, and the next ensure() starts over
      const opened = this.servers
      this.servers = []
      await Promise.all(opened.map(async s => { await new Promise<void>(resolve => { s.close(() => { resolve() }) }) }))
      throw err
    })
    this.port = port
    this.timer = setInterval(() => { void this.closeIfIdle() }, 30_000)
    this.timer.unref()
    return port
  }

  private async listenAll (files: Map<string, { body: Buffer, type: string }>): Promise<number> {
    let port = this.init.port
    for (const host of this.init.hosts) {
      const handler = (req: IncomingMessage, res: ServerResponse): void => { serve(req, res, files) }
      const server = this.init.tls != null ? createTlsServer({ cert: this.init.tls.cert, key: this.init.tls.key }, handler) : createServer(handler)
      server.headersTimeout = 10_000
      server.requestTimeout = 15_000
      server.on('error', (err) => this.init.onError?.(err))
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      // every host on the same port: the link names one of them
      this.servers.push(server)
      port = (server.address() as { port: number }).port
    }
    return port
  }

  private async closeIfIdle (): Promise<void> {
    if (!this.running || Date.now() - this.lastEnsured < 60_000) return
    if (await this.init.wanted().catch(() => true)) return
    await this.stop()
  }

  /** `https` with a certificate, else `http`. */
  get scheme (): 'http' | 'https' {
    return this.init.tls != null ? 'https' : 'http'
  }

  get listenPort (): number {
    return this.port
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.starting?.catch(() => {})
    const servers = this.servers
    this.servers = []
    this.starting = undefined
    await Promise.all(servers.map(async s => {
      s.closeAllConnections()
      await new Promise<void>(resolve => { s.close(() => { resolve() }) })
    }))
  }
}

/** A Host header naming an IP address (the link's), `localhost` or a `.local` name: never another site's name (DNS rebinding). */
function hostAllowed (host: string | undefined): boolean {
  if (host == null) return false
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  return isIP(name) !== 0 || name === 'localhost' || /^[a-z0-9-]+\.local$/i.test(name)
}

function serve (req: IncomingMessage, res: ServerResponse, files: Map<string, { body: Buffer, type: string }>): void {
  if (!hostAllowed(req.headers.host)) {
    res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('this page is served by a mesh node under its own address only\n')
    return
  }
  sendPageFile(req, res, PAGE_CSP, files.get((req.url ?? '/').split('?')[0] as string))
}

/** One file of a page (GET or HEAD only), with its CSP and the headers every page gets; 404 without one. */
export function sendPageFile (req: IncomingMessage, res: ServerResponse, csp: string, f: { body: Buffer, type: string } | undefined): void {
  res.setHeader('Content-Security-Policy', csp)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cache-Control', 'no-cache')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n')
    return
  }
  if (f == null) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
    return
  }
  res.writeHead(200, { 'content-type': f.type, 'content-length': f.body.byteLength })
  res.end(req.method === 'HEAD' ? undefined : f.body)
}
