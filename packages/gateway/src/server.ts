import { createServer } from 'node:http'
import { Access } from './access.js'
import { GatewayError, toGatewayError } from './errors.js'
import { registerRoutes } from './routes.js'
import type { Caller } from './access.js'
import type { Api } from './errors.js'
import type { GatewayMesh } from './call.js'
import type { KeyStore } from './keys.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AddressInfo } from 'node:net'

export interface GatewayConfig {
  host: string
  port: number
  openLoopback: boolean
  hosts: string[]
  corsOrigins: string[]
  maxBodyBytes: number
  maxStreams: number
  maxStreamsPerKey: number
  aliases: Record<string, string>
}

export interface GatewayLog {
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface GatewayInit {
  config: GatewayConfig
  mesh: GatewayMesh
  keys: KeyStore
  log?: GatewayLog
}

export interface Gateway {
  /** http://HOST:PORT */
  url: string
  port: number
  access: Access
  close: () => Promise<void>
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller
  }
  interface FastifyContextConfig {
    api?: Api
  }
}

/** The API a request speaks, for its error shape: by route, else by path (and, on /v1/models, by Anthropic's version header). */
export function apiOf (req: FastifyRequest): Api {
  const api = req.routeOptions?.config?.api
  const path = req.url.split('?')[0] ?? ''
  if (path.startsWith('/v1/models') || api == null) {
    if (path.startsWith('/api/') || path === '/') return 'ollama'
    if (path.startsWith('/v1/messages') || req.headers['anthropic-version'] != null) return 'anthropic'
    return api ?? 'openai'
  }
  return api
}

function sendError (reply: FastifyReply, api: Api, err: GatewayError): void {
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy()
    return
  }
  void reply.code(err.statusFor(api)).headers(err.headers()).type('application/json').send(err.body(api))
}

/**
 * The AI-client gateway: OpenAI, Ollama and Anthropic APIs on one port, each
 * request a mesh task. Every request passes the Host check, CORS, the key
 * and the key's rate before any route runs; bodies are held to the limit.
 */
export async function startGateway (init: GatewayInit): Promise<Gateway> {
  const { config } = init
  let port = config.port
  const access = new Access({ host: config.host, port: () => port, hosts: config.hosts, corsOrigins: config.corsOrigins, openLoopback: config.openLoopback, keys: init.keys, maxStreams: config.maxStreams, maxStreamsPerKey: config.maxStreamsPerKey })
  // loaded here, not at import: a node with the gateway off never loads the framework
  const { default: Fastify } = await import('fastify')
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: config.maxBodyBytes,
    // a response streams as long as its answer takes; the request itself must arrive in time
    requestTimeout: 60_000,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    // a client that sends its headers slowly (slow-loris) is cut off after 10 s, a slow body after 60 s, checked every second
    serverFactory: (handler) => createServer({ headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 65_000, connectionsCheckingInterval: 1_000 }, handler),
    return503OnClosing: true,
    // a model name may hold "/" and ":"; a trailing slash is ignored
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true }
  })
  // clients send JSON with any content type (curl -d, no header at all): every body is read as JSON
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') { done(null, {}); return }
    try {
      done(null, JSON.parse(text))
    } catch {
      done(new GatewayError('invalid', 'the request body is not valid JSON'), undefined)
    }
  })
  app.addHook('onRequest', async (req, reply) => {
    access.checkHost(req.headers.host)
    const cors = access.cors(req.method, req.headers)
    reply.headers(cors.headers)
    if (cors.preflight) {
      await reply.code(204).send()
      return reply
    }
    if (req.method === 'OPTIONS') {
      await reply.code(204).header('allow', 'GET, HEAD, POST, DELETE, OPTIONS').send()
      return reply
    }
    req.caller = access.authenticate(req.headers, req.socket.remoteAddress)
    access.rate(req.caller)
  })
  app.setErrorHandler((err: any, req, reply) => {
    const api = apiOf(req)
    let e: GatewayError
    if (err instanceof GatewayError) e = err
    else if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new GatewayError('too-large', `the request body is over ${config.maxBodyBytes} bytes, this gateway's limit (gatewayMaxBodyBytes)`)
    else if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) e = new GatewayError('invalid', String(err.message ?? 'bad request'))
    else {
      e = toGatewayError(err)
      if (e.kind === 'internal') init.log?.error({ err, url: req.url }, 'a gateway request failed')
    }
    sendError(reply, api, e)
  })
  app.setNotFoundHandler((req, reply) => {
    sendError(reply, apiOf(req), new GatewayError('not-found', `no such endpoint ${req.method} ${req.url.split('?')[0] ?? ''}`))
  })
  registerRoutes(app, { mesh: init.mesh, access, keys: init.keys, aliases: config.aliases, log: init.log })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
  port = (app.server.address() as AddressInfo).port
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    access,
    close: async () => {
      app.server.closeAllConnections()
      await app.close()
    }
  }
}
