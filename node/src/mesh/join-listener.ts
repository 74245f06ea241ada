import { createJoinPeer, isLoopback } from '@smesh/mesh'
import { JOIN_PROTOCOL, serveJoin } from '@smesh/membership'
import { multiaddr } from '@multiformats/multiaddr'
import type { Joined, JoinServerInit, InviteStore } from '@smesh/membership'
import type { ComponentLogger, Libp2p, PrivateKey } from '@libp2p/interface'

export interface JoinListenerInit extends JoinServerInit {
  privateKey: PrivateKey
  networkKey: Uint8Array
  /** The main node's listen addresses: the join listener takes the same hosts, any free port. */
  nodeListen: string[]
  invites: InviteStore
  logger?: ComponentLogger
  /** With HTTPS for the phone's page: the WebSockets address is wss:// (`/tls/ws`). */
  wsTls?: { cert: string, key: string }
  onJoined: (j: Joined) => void
  onError: (err: Error) => void
}

/** How long one join exchange may take. */
const JOIN_TIMEOUT_MS = 15_000

/**
 * The join listener of an admin node: a bare libp2p node (network key,
 * Noise, the join protocol and nothing else) on its own port, running only
 * while this node has open invites. A device with a token reaches it, not
 * the mesh: the main node lets in members only.
 */
export class JoinListener {
  private peer?: Libp2p
  private starting?: Promise<Libp2p>
  private timer?: ReturnType<typeof setInterval>
  private readonly controller = new AbortController()
  private lastEnsured = 0

  constructor (private readonly init: JoinListenerInit) {}

  /** Starts the listener if it is not running; returns its addresses. */
  async ensure (): Promise<string[]> {
    this.lastEnsured = Date.now()
    this.starting ??= this.start().catch((err) => {
      this.starting = undefined
      throw err
    })
    const peer = await this.starting
    return peer.getMultiaddrs().map(ma => ma.toString())
  }

  private async start (): Promise<Libp2p> {
    // each host of the node's, on a free port: TCP for nodes, WebSockets for a phone's page
    const hosts = [...new Set(this.init.nodeListen.map(a => multiaddr(a).toString().replace(/\/tcp\/\d+.*$/, '')))]
    const ws = this.init.wsTls != null ? 'tls/ws' : 'ws'
    const listen = hosts.flatMap(h => [`${h}/tcp/0`, `${h}/tcp/0/${ws}`])
    const peer = await createJoinPeer({ privateKey: this.init.privateKey, networkKey: this.init.networkKey, listen, logger: this.init.logger, ...(this.init.wsTls != null ? { wsTls: this.init.wsTls } : {}) })
    await peer.handle(JOIN_PROTOCOL, (stream, connection) => {
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(JOIN_TIMEOUT_MS)])
      serveJoin(stream, connection.remotePeer.toString(), this.init, signal).then(
        (joined) => { if (joined != null) this.init.onJoined(joined) },
        (err: Error) => {
          stream.abort(err)
          this.init.onError(err)
        }
      )
    }, { maxInboundStreams: 4 })
    await peer.start()
    this.peer = peer
    // once no invite is open (all used or expired), the listener closes
    this.timer = setInterval(() => { void this.closeIfIdle() }, 30_000)
    this.timer.unref()
    return peer
  }

  /** Addresses for a token: LAN addresses, or loopback when the node listens on loopback only. */
  tokenAddrs (addrs: string[]): string[] {
    const parsed = addrs.map(a => multiaddr(a))
    const outside = parsed.filter(ma => !isLoopback(ma))
    return (outside.length > 0 ? outside : parsed).map(ma => ma.toString())
  }

  private async closeIfIdle (): Promise<void> {
    // a token handed out a moment ago names this listener: it stays up a while in any case
    if (this.peer == null || Date.now() - this.lastEnsured < 60_000) return
    if ((await this.init.invites.open()).length > 0) return
    await this.stop()
  }

  get running (): boolean {
    return this.peer != null
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    const peer = this.peer ?? await this.starting?.catch(() => undefined)
    this.peer = undefined
    this.starting = undefined
    await peer?.stop()
  }

  async close (): Promise<void> {
    this.controller.abort()
    await this.stop()
  }
}
