import { networkInterfaces } from 'node:os'
import { isIP } from 'node:net'
import { GatewayError } from './errors.js'
import type { KeyRecord, KeyStore } from './keys.js'
import type { IncomingHttpHeaders } from 'node:http'

/** Who a request comes from: a key, or a client on this machine when keyless loopback is allowed. */
export interface Caller {
  /** The key's name, or "loopback". */
  name: string
  key?: KeyRecord
}

export interface AccessInit {
  /** The address the gateway is bound to, and its port. */
  host: string
  port: () => number
  /** Host names besides the gateway's own addresses. */
  hosts: string[]
  corsOrigins: string[]
  openLoopback: boolean
  keys: KeyStore
  maxStreams: number
  maxStreamsPerKey: number
}

/** Request headers a browser client may send (what the SDKs send). */
const CORS_HEADERS = new Set(['authorization', 'x-api-key', 'content-type', 'accept', 'anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access', 'openai-organization', 'openai-project', 'openai-beta', 'x-smesh-residency'])
const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'DELETE'])
const EXPOSED = 'x-smesh-task, x-smesh-peer, x-smesh-device, x-smesh-model, x-smesh-tier, x-smesh-handoffs, retry-after'

/** The name keyless loopback requests go by (a key name cannot have angle brackets). */
export const LOOPBACK_CALLER = '<loopback>'

export function isLoopback (address: string | undefined): boolean {
  if (address == null) return false
  const a = address.replace(/^::ffff:/, '')
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'))
}

/**
 * The gateway's door: the Host header (DNS rebinding), the Origin (CORS),
 * the key, the key's rate, and how many responses run at once.
 */
export class Access {
  private own?: { at: number, hosts: Set<string> }
  private readonly streams = new Map<string, number>()
  private total = 0

  constructor (private readonly init: AccessInit) {}

  /** host[:port] strings a request may name: the gateway's own addresses with its port, and the configured names. */
  private allowedHosts (): Set<string> {
    const now = Date.now()
    if (this.own != null && now - this.own.at < 10_000) return this.own.hosts
    const port = this.init.port()
    const addrs = new Set<string>(['localhost'])
    const bound = this.init.host
    if (bound === '0.0.0.0' || bound === '::') {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (bound === '::' || a.family === 'IPv4') addrs.add(a.family === 'IPv6' ? `[${a.address.replace(/%.*$/, '')}]` : a.address)
      }
    } else {
      addrs.add(bound.includes(':') ? `[${bound}]` : bound)
    }
    const hosts = new Set([...addrs].map(a => `${a}:${port}`.toLowerCase()))
    for (const h of this.init.hosts) {
      const name = h.toLowerCase()
      hosts.add(name)
      if (!/:\d+$/.test(name)) hosts.add(`${name}:${port}`)
    }
    this.own = { at: now, hosts }
    return hosts
  }

  /** Refuses a Host that is not the gateway's own (a page's name resolving to this machine: DNS rebinding). */
  checkHost (host: string | undefined): void {
    const h = (host ?? '').toLowerCase()
    if (!this.allowedHosts().has(h)) {
      throw new GatewayError('forbidden', `the Host header ${JSON.stringify(h.slice(0, 80))} is not this gateway's address; add the name to gatewayHosts in config.json if clients use it`, { code: 'host_not_allowed' })
    }
  }

  /**
   * CORS: no Origin, nothing to do; an allowed origin gets the headers it
   * needs (and a preflight its answer, returned); any other origin is refused.
   */
  cors (method: string, headers: IncomingHttpHeaders): { headers: Record<string, string>, preflight: boolean } {
    const origin = headers.origin
    if (origin == null) return { headers: {}, preflight: false }
    const allowed = this.init.corsOrigins.some(o => o.toLowerCase() === origin.toLowerCase())
    if (!allowed) throw new GatewayError('forbidden', `requests from the web origin ${JSON.stringify(origin.slice(0, 80))} are refused; list it in gatewayCorsOrigins to allow it`, { code: 'origin_not_allowed' })
    const out: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': EXPOSED }
    const wants = headers['access-control-request-method']
    if (method !== 'OPTIONS' || wants == null) return { headers: out, preflight: false }
    const asked = String(headers['access-control-request-headers'] ?? '').split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
    const refused = asked.filter(h => !CORS_HEADERS.has(h) && !h.startsWith('x-stainless-'))
    if (!CORS_METHODS.has(String(wants).toUpperCase()) || refused.length > 0) {
      throw new GatewayError('forbidden', `a preflight asked for ${refused.length > 0 ? `the headers ${refused.join(', ')}` : `the method ${String(wants)}`}, which this gateway does not allow`, { code: 'preflight_refused' })
    }
    return { headers: { ...out, 'access-control-allow-methods': [...CORS_METHODS].join(', '), 'access-control-allow-headers': asked.join(', '), 'access-control-max-age': '600' }, preflight: true }
  }

  /** The caller of a request by its key (Bearer or x-api-key); keyless only from loopback and only when allowed. */
  authenticate (headers: IncomingHttpHeaders, remote: string | undefined): Caller {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''))?.[1]
    const presented = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'].trim() : undefined)
    if (presented != null && presented !== '') {
      const key = this.init.keys.verify(presented)
      if (key != null) return { name: key.name, key }
      // a client on this machine that sends any placeholder key still gets in where keyless loopback is allowed
      if (!(this.init.openLoopback && isLoopback(remote))) throw new GatewayError('unauthorized', 'the API key is not valid: unknown, revoked or expired', { code: 'invalid_api_key' })
    }
    if (this.init.openLoopback && isLoopback(remote)) return { name: LOOPBACK_CALLER }
    throw new GatewayError('unauthorized', 'this gateway needs an API key: create one with `smesh keys create NAME` and send it as Authorization: Bearer KEY (or x-api-key: KEY)', { code: 'missing_api_key' })
  }

  /** Counts a request against the key's rate. */
  rate (caller: Caller): void {
    if (caller.key != null && !this.init.keys.take(caller.key)) {
      const rate = caller.key.ratePerS ?? 1
      throw new GatewayError('rate-limit', `the key ${caller.name} is over its rate of ${rate} requests a second`, { retryAfterMs: Math.ceil(1000 / rate), code: 'rate_limit_exceeded' })
    }
  }

  /** A response begins: refused past the limits in all and per key; the function returned ends it. */
  begin (caller: Caller): () => void {
    if (this.total >= this.init.maxStreams) throw new GatewayError('overloaded', `the gateway already serves ${this.total} responses, its limit`, { retryAfterMs: 1_000 })
    const mine = this.streams.get(caller.name) ?? 0
    if (mine >= this.init.maxStreamsPerKey) throw new GatewayError('rate-limit', `the key ${caller.name} already has ${mine} responses running, its limit`, { retryAfterMs: 1_000, code: 'too_many_concurrent_requests' })
    this.total++
    this.streams.set(caller.name, mine + 1)
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.total--
      const n = (this.streams.get(caller.name) ?? 1) - 1
      if (n <= 0) this.streams.delete(caller.name)
      else this.streams.set(caller.name, n)
    }
  }

  /** Responses running now. */
  get running (): number {
    return this.total
  }
}
