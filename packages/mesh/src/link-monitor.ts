import { serviceCapabilities } from '@libp2p/interface'
import { LINK_PING_INTERVAL_MS, LINK_PING_TIMEOUT_MS, STALE_AFTER_MS } from './constants.js'
import type { ComponentLogger, Connection, IdentifyResult, Libp2pEvents, Logger, Startable, Stream, StreamMessageEvent, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface LinkMonitorInit {
  /** How often every open connection is pinged. */
  intervalMs?: number
  /** One ping's deadline (the answering side gives up on a ping stream after 10 s). */
  timeoutMs?: number
  /** A connection that has answered no ping for this long is aborted: the peer's stale window. */
  deadAfterMs?: number
  protocol?: string
}

export interface LinkMonitorComponents {
  logger: ComponentLogger
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: ConnectionManager
}

const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_LENGTH = 32

/**
 * Measures every connection's round-trip time and closes the dead ones, in
 * place of libp2p's connection monitor (turned off in `createMeshNode`). That
 * one aborts a connection at its first ping that misses a deadline (5 s at
 * least): on a lossy Wi-Fi link (200 ms, 20 % loss) a ping's retransmits
 * pass that now and then, a live connection is cut, and its redial over the
 * same link fails as often (matrix row 2: a node went 20 s with no
 * connection at all). Here a connection is aborted only when it has answered
 * no ping for `deadAfterMs`, the time after which presence prunes a silent
 * peer anyway; one ping at a time per connection, so two never meet at the
 * protocol's stream limit (which the libp2p monitor also took for a death).
 */
export class LinkMonitor implements Startable {
  readonly [Symbol.toStringTag] = '@smesh/link-monitor'
  readonly [serviceCapabilities]: string[] = ['@libp2p/connection-monitor']

  private readonly c: LinkMonitorComponents
  private readonly log: Logger
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly deadAfterMs: number
  private readonly protocol: string
  /** Per connection: when it last answered (or was first seen), and whether a ping is out. */
  private readonly links = new WeakMap<Connection, { alive: number, inFlight: boolean }>()
  private timer?: ReturnType<typeof setInterval>
  private controller = new AbortController()

  constructor (components: LinkMonitorComponents, init: LinkMonitorInit = {}) {
    this.c = components
    this.log = components.logger.forComponent('smesh:link-monitor')
    this.intervalMs = init.intervalMs ?? LINK_PING_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? LINK_PING_TIMEOUT_MS
    this.deadAfterMs = init.deadAfterMs ?? STALE_AFTER_MS
    this.protocol = init.protocol ?? PING_PROTOCOL
  }

  start (): void {
    this.controller = new AbortController()
    this.c.events.addEventListener('peer:identify', this.onIdentify)
    this.timer = setInterval(() => { this.probeAll() }, this.intervalMs)
    this.timer.unref?.()
  }

  stop (): void {
    this.controller.abort()
    clearInterval(this.timer)
    this.c.events.removeEventListener('peer:identify', this.onIdentify)
  }

  /** A new connection is identified: its RTT now, not at the next round. */
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    this.probe(evt.detail.connection)
  }

  private probeAll (): void {
    for (const conn of this.c.connectionManager.getConnections()) this.probe(conn)
  }

  private probe (conn: Connection): void {
    if (conn.status !== 'open' || this.controller.signal.aborted) return
    let link = this.links.get(conn)
    if (link == null) {
      link = { alive: performance.now(), inFlight: false }
      this.links.set(conn, link)
    }
    if (link.inFlight) return
    link.inFlight = true
    const state = link
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)])
    this.ping(conn, signal).then(rtt => {
      conn.rtt = rtt
      state.alive = performance.now()
    }, (err: Error) => {
      if (this.controller.signal.aborted || conn.status !== 'open') return
      // a peer without the protocol still answered multistream-select: alive
      if (err.name === 'UnsupportedProtocolError') {
        state.alive = performance.now()
        return
      }
      const silentMs = performance.now() - state.alive
      this.log.trace('ping over %a failed after %d ms without an answer - %e', conn.remoteAddr, Math.round(silentMs), err)
      if (silentMs < this.deadAfterMs) return
      this.log('no answer over %a for %d ms: closing the connection', conn.remoteAddr, Math.round(silentMs))
      conn.abort(new Error(`no ping answered for ${Math.round(silentMs)} ms`))
    }).finally(() => { state.inFlight = false })
  }

  /** One ping over this very connection: 32 random bytes out, the same back; resolves with the round trip in ms. */
  private async ping (conn: Connection, signal: AbortSignal): Promise<number> {
    const stream: Stream = await conn.newStream(this.protocol, { signal, runOnLimitedConnection: true })
    try {
      const data = crypto.getRandomValues(new Uint8Array(PING_LENGTH))
      let received = new Uint8Array(0)
      const start = performance.now()
      const rtt = await new Promise<number>((resolve, reject) => {
        const done = (err?: Error): void => {
          stream.removeEventListener('message', onMessage)
          stream.removeEventListener('close', onClose)
          signal.removeEventListener('abort', onAbort)
          if (err != null) reject(err)
          else resolve(performance.now() - start)
        }
        const onMessage = (evt: StreamMessageEvent): void => {
          const chunk = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
          const joined = new Uint8Array(received.byteLength + chunk.byteLength)
          joined.set(received)
          joined.set(chunk, received.byteLength)
          received = joined
          if (received.byteLength < PING_LENGTH) return
          done(data.every((b, i) => received[i] === b) ? undefined : new Error('the ping came back changed'))
        }
        const onClose = (): void => { done(new Error('the ping stream closed before the answer')) }
        const onAbort = (): void => { done(signal.reason as Error) }
        stream.addEventListener('message', onMessage)
        stream.addEventListener('close', onClose)
        signal.addEventListener('abort', onAbort)
        stream.send(data)
      })
      await stream.close({ signal })
      return rtt
    } catch (err: any) {
      stream.abort(err)
      throw err
    }
  }
}

export function linkMonitor (init: LinkMonitorInit = {}): (components: LinkMonitorComponents) => LinkMonitor {
  return (components) => new LinkMonitor(components, init)
}
