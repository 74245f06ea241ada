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
 * no ping for `deadAfterMs` (checked every second, not only when a ping
 * fails), the time after which presence prunes a silent peer anyway; one
 * ping at a time per connection, so two never meet at the protocol's stream
 * limit (which the libp2p monitor also took for a death). After this process
 * itself stood still (SIGSTOP, a blocked event loop), silence is not judged
 * until the links have been asked again.
 */
export class LinkMonitor implements Startable {
  readonly [Symbol.toStringTag] = '@smesh/link-monitor'
  readonly [serviceCapabilities]: string[] = ['@libp2p/connection-monitor']

  private readonly c: LinkMonitorComponents
  private readonly log: Logger
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly deadAfterMs: number
  private readonly checkMs: number
  private readonly protocol: string
  /** Per connection: when it last answered (or was first seen), when the last ping went out, and whether one is out. */
  private readonly links = new WeakMap<Connection, Link>()
  private timer?: ReturnType<typeof setInterval>
  private lastCheck = 0
  private controller = new AbortController()

  constructor (components: LinkMonitorComponents, init: LinkMonitorInit = {}) {
    this.c = components
    this.log = components.logger.forComponent('smesh:link-monitor')
    this.intervalMs = init.intervalMs ?? LINK_PING_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? LINK_PING_TIMEOUT_MS
    this.deadAfterMs = init.deadAfterMs ?? STALE_AFTER_MS
    // the dead window is kept to within a few percent, not to the next ping round
    this.checkMs = Math.min(1_000, this.intervalMs / 4)
    this.protocol = init.protocol ?? PING_PROTOCOL
  }

  start (): void {
    this.controller = new AbortController()
    this.c.events.addEventListener('peer:identify', this.onIdentify)
    this.lastCheck = performance.now()
    this.timer = setInterval(() => { this.check() }, this.checkMs)
    this.timer.unref?.()
  }

  stop (): void {
    this.controller.abort()
    clearInterval(this.timer)
    this.c.events.removeEventListener('peer:identify', this.onIdentify)
  }

  /** A new connection is identified: its RTT now, not at the next round. */
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const conn = evt.detail.connection
    if (conn.status === 'open') this.ping(conn, this.link(conn))
  }

  private link (conn: Connection): Link {
    let link = this.links.get(conn)
    if (link == null) {
      const now = performance.now()
      link = { alive: now, sent: -Infinity, inFlight: false }
      this.links.set(conn, link)
    }
    return link
  }

  private check (): void {
    const now = performance.now()
    // This process did not run for a while (frozen, or its event loop blocked): answers may be
    // waiting unread in the socket buffers, so no verdict on silence until the links are asked again.
    const stalled = now - this.lastCheck > 2 * this.checkMs + 1_000
    this.lastCheck = now
    for (const conn of this.c.connectionManager.getConnections()) {
      if (conn.status !== 'open') continue
      const link = this.link(conn)
      if (stalled) {
        link.alive = Math.max(link.alive, now - this.intervalMs)
        link.sent = -Infinity
      }
      const silentMs = now - link.alive
      if (silentMs >= this.deadAfterMs) {
        this.log('no ping answered over %a for %d ms: closing the connection', conn.remoteAddr, Math.round(silentMs))
        conn.abort(new Error(`no ping answered for ${Math.round(silentMs)} ms`))
        continue
      }
      if (!link.inFlight && now - link.sent >= this.intervalMs) this.ping(conn, link)
    }
  }

  private ping (conn: Connection, link: Link): void {
    if (link.inFlight || this.controller.signal.aborted) return
    link.inFlight = true
    link.sent = performance.now()
    const stopped = this.controller.signal
    const deadline = new AbortController()
    const onStop = (): void => { deadline.abort(stopped.reason) }
    stopped.addEventListener('abort', onStop, { once: true })
    const timer = setTimeout(() => { deadline.abort(new Error(`no answer within ${this.timeoutMs} ms`)) }, this.timeoutMs)
    this.pingOnce(conn, deadline.signal, (rtt) => {
      conn.rtt = rtt
      link.alive = performance.now()
    }).catch((err: Error) => {
      if (stopped.aborted || conn.status !== 'open') return
      // a peer without the protocol still answered multistream-select: alive
      if (err.name === 'UnsupportedProtocolError') link.alive = performance.now()
      else this.log.trace('ping over %a failed - %e', conn.remoteAddr, err)
    }).finally(() => {
      clearTimeout(timer)
      stopped.removeEventListener('abort', onStop)
      link.inFlight = false
    }).catch(() => {})
  }

  /**
   * One ping over this very connection: 32 random bytes out, the same back.
   * `answered` gets the round trip in ms as soon as the echo is in (the
   * stream's close after it may still fail: the link answered all the same).
   */
  private async pingOnce (conn: Connection, signal: AbortSignal, answered: (rttMs: number) => void): Promise<void> {
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
        if (signal.aborted) {
          onAbort()
          return
        }
        stream.addEventListener('message', onMessage)
        stream.addEventListener('close', onClose)
        signal.addEventListener('abort', onAbort)
        stream.send(data)
      })
      answered(rtt)
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
      throw err
    }
  }
}

interface Link {
  /** When the connection last answered a ping (or was first seen). */
  alive: number
  /** When the last ping went out. */
  sent: number
  inFlight: boolean
}

export function linkMonitor (init: LinkMonitorInit = {}): (components: LinkMonitorComponents) => LinkMonitor {
  return (components) => new LinkMonitor(components, init)
}
