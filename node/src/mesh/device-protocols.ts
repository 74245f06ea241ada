import { pbStream } from '@libp2p/utils'
import { RateLimiter } from '@smesh/bus'
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_READ_JSON_BYTES, MAX_READ_REQUEST_BYTES, MAX_READ_STREAMS, NOTICE_PROTOCOL, NOTICE_VERSION, Notice, READ_PROTOCOL, READ_VERSION, READ_VIEWS, ReadResponse, decodeReadRequest } from '@smesh/protocols'
import type { Libp2p, Stream } from '@libp2p/interface'
import { NotAuthorizedError } from '@smesh/membership'
import type { Membership, PolicyGate, Scope } from '@smesh/membership'
import type { ReadView } from '@smesh/protocols'
import type { Logger } from 'pino'
import { getView } from '../api/server.js'
import type { RouteHandler } from '../api/server.js'

/** How long one read may take, request to answer. */
const READ_TIMEOUT_MS = 10_000
const NOTICE_TIMEOUT_MS = 1_000
const REQUEST = { decode: decodeReadRequest }
const READS_PER_S = 20
const READ_BURST = 60

/**
 * Which control API document each view is, with the query its argument goes
 * in; `limit`: most items a view answers (its size is bounded before it is
 * built, not only checked after).
 */
const VIEW_ROUTES: Record<Exclude<ReadView, 'device' | 'approval' | 'verdict'>, { path: string, arg?: string, argPath?: string, limit?: number }> = {
  members: { path: '/v1/members' },
  peers: { path: '/v1/peers' },
  topology: { path: '/v1/topology' },
  models: { path: '/v1/models' },
  memory: { path: '/v1/memory/list', arg: 'prefix', limit: 200 },
  sessions: { path: '/v1/sessions', arg: 'id', argPath: '/v1/sessions/show' },
  tasks: { path: '/v1/tasks', limit: 100 }
}

export interface DeviceProtocolsInit {
  node: Libp2p
  membership: Membership
  gate: PolicyGate
  /** A node's WebSockets addresses (from its presence beacons' `ws` capability), for the `peers` view. */
  wsOf: (peerId: string) => string[]
  /** The head of a device's chain on this node, with its time: the device signs its next entry after it. */
  head: (device: string) => Promise<{ seq: string, hash: string, hlcMs: string, hlcCounter: number } | undefined>
  /** The control API's routes: a view is the document its GET answers. */
  routes: Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>>
  log: Logger
  signal: AbortSignal
}

type Refusal = 'not-member' | 'scope' | 'unknown-view' | 'too-large' | 'busy' | 'protocol'

class ReadRefused extends Error {
  constructor (readonly code: Refusal, message: string) {
    super(message)
  }
}

/**
 * The protocols a browser device needs of a full node: /smesh/read/1.0.0
 * (one view of the mesh, for a member whose lease has the view's scope) and
 * /smesh/notice/1.0.0 (this node tells a browser device it was cut off).
 */
export class DeviceProtocols {
  /** Reads a device may make a second, and at once: a page refreshing its views, not a scraper. */
  private readonly limiter = new RateLimiter(READS_PER_S, READ_BURST)

  constructor (private readonly init: DeviceProtocolsInit) {}

  async start (): Promise<void> {
    await this.init.node.handle(READ_PROTOCOL, (stream, connection) => {
      void this.serve(stream, connection.remotePeer.toString())
    }, { maxInboundStreams: MAX_READ_STREAMS })
  }

  private async serve (stream: Stream, peer: string): Promise<void> {
    const signal = AbortSignal.any([this.init.signal, AbortSignal.timeout(READ_TIMEOUT_MS)])
    const pb = pbStream(stream, { maxDataLength: MAX_READ_REQUEST_BYTES })
    let answer: ReadResponse
    try {
      const req = await pb.read(REQUEST, { signal })
      answer = { ok: true, error: '', message: '', json: await this.view(peer, req.version, req.view, req.arg, signal) }
    } catch (err: any) {
      if (!(err instanceof ReadRefused)) {
        if (signal.aborted || err.name === 'InvalidDataLengthError' || err.name === 'UnexpectedEOFError') {
          stream.abort(err)
          return
        }
        this.init.log.warn({ err, peer }, 'a read request failed')
      }
      const refusal = err instanceof ReadRefused ? err : new ReadRefused('busy', 'the node could not answer this view now')
      answer = { ok: false, error: refusal.code, message: refusal.message, json: new Uint8Array(0) }
    }
    try {
      await pb.write(answer, ReadResponse, { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }

  private async view (peer: string, version: number, view: string, arg: string, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
    if (version !== READ_VERSION) throw new ReadRefused('protocol', `read protocol version ${version} is not understood (this node speaks ${READ_VERSION})`)
    const { membership } = this.init
    const device = membership.deviceOfPeer(peer)
    const status = device == null ? undefined : membership.status(device)
    if (device == null || (status !== 'active' && status !== 'root')) throw new ReadRefused('not-member', 'this PeerId holds no live lease in the mesh')
    if (!this.limiter.take(device)) throw new ReadRefused('busy', `more than ${READS_PER_S} reads a second: wait a moment`)
    if (!Object.hasOwn(READ_VIEWS, view)) throw new ReadRefused('unknown-view', `there is no view ${JSON.stringify(view.slice(0, 40))}: the views are ${Object.keys(READ_VIEWS).join(', ')}`)
    const scope = READ_VIEWS[view as ReadView] as Scope
    if (!membership.has(device, scope)) throw new ReadRefused('scope', `the device's lease has no ${scope} scope`)
    const doc = view === 'device'
      ? { ...membership.list().find(m => m.device === device), head: await this.init.head(device) ?? null }
      : view === 'approval'
        ? this.approval(device, arg)
        : view === 'verdict'
          ? this.verdict(device, arg)
          : view === 'peers'
            ? (await this.route('peers', arg, signal) as Array<{ peerId: string, addrs: string[] }>).map(p => ({ ...p, addrs: [...p.addrs, ...this.init.wsOf(p.peerId)] }))
            : await this.route(view as Exclude<ReadView, 'device' | 'approval' | 'verdict'>, arg, signal)
    const json = new TextEncoder().encode(JSON.stringify(doc))
    if (json.byteLength > MAX_READ_JSON_BYTES) throw new ReadRefused('too-large', `the ${view} view is ${json.byteLength} bytes, over the ${MAX_READ_JSON_BYTES} a read answers: ask for a narrower one (a longer prefix)`)
    return json
  }

  private approval (device: string, id: string): unknown {
    const a = this.init.gate.askStatus(id)
    // another device's ask is not this one's to see
    if (a == null || a.device !== device) throw new ReadRefused('unknown-view', `this node holds no ask ${JSON.stringify(id.slice(0, 40))} of this device (yet)`)
    return { id, ...a }
  }

  private verdict (device: string, arg: string): { effect: 'allow' | 'ask' | 'block', action?: string, subject?: string, rule?: number, message: string } {
    const nl = arg.indexOf('\n')
    const kind = nl < 0 ? arg : arg.slice(0, nl)
    const body = new TextEncoder().encode(nl < 0 ? '' : arg.slice(nl + 1))
    try {
      this.init.membership.assertMayWrite(device, kind)
    } catch (err) {
      if (err instanceof NotAuthorizedError) return { effect: 'block', message: err.message }
      throw err
    }
    const v = this.init.gate.entryVerdict(kind, body, device)
    if (v.effect === 'allow') return { effect: 'allow', message: 'allowed' }
    const what = `${String(v.action)} of ${JSON.stringify(v.subject)}`
    return { ...v, message: v.effect === 'block' ? `${what} is blocked by rule ${String(v.rule)} of the mesh policy` : `${what} needs an admin's approval (rule ${String(v.rule)})` }
  }

  private async route (view: Exclude<ReadView, 'device' | 'approval' | 'verdict'>, arg: string, signal: AbortSignal): Promise<unknown> {
    const r = VIEW_ROUTES[view]
    const path = arg !== '' && r.argPath != null ? r.argPath : r.path
    const params: Record<string, string> = {}
    if (arg !== '' && r.arg != null) params[r.arg] = arg.slice(0, 512)
    if (r.limit != null) params.limit = String(r.limit)
    const route = this.init.routes[path]
    if ((typeof route === 'function' ? route : route?.GET) == null) throw new ReadRefused('unknown-view', `this node does not serve the ${view} view`)
    try {
      return await getView(this.init.routes, path, params, signal)
    } catch (err: any) {
      // a typed error of the view (a session that is not there) is the reader's to see
      if (typeof err.hint === 'string') throw new ReadRefused('unknown-view', err.message)
      throw err
    }
  }

  /** Tells a browser device it was cut off (revoked, or its lease expired); quiet when it cannot be reached. */
  async notify (peerId: string, kind: 'revoked' | 'expired', message: string): Promise<void> {
    const id = peerIdFromString(peerId)
    // a notice goes over a connection the device holds: a browser cannot be dialed
    if (this.init.node.getConnections(id).length === 0) return
    const signal = AbortSignal.any([this.init.signal, AbortSignal.timeout(NOTICE_TIMEOUT_MS)])
    try {
      const stream = await this.init.node.dialProtocol(id, NOTICE_PROTOCOL, { signal })
      await pbStream(stream).write({ version: NOTICE_VERSION, kind, message }, Notice, { signal })
      await stream.close({ signal })
    } catch {
      // not connected, or a node that does not take notices: it learns from the bus
    }
  }
}
