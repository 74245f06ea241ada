import { pbStream } from '@libp2p/utils'
import { ASK_PROTOCOL, ASK_VERSION, AskEvent, MAX_ASK_REQUEST_BYTES, MAX_ASK_STREAMS, decodeAskRequest } from '@smesh/protocols'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { GatewayMesh } from '@smesh/gateway'
import type { ChatMessage } from '@smesh/inference'
import { KINDS, encodeJsonBody, resolveSession } from '@smesh/bus'
import type { Bus } from '@smesh/bus'
import type { Membership, PolicyGate } from '@smesh/membership'
import type { AskRequest } from '@smesh/protocols'
import type { Logger } from 'pino'

const REQUEST = { decode: decodeAskRequest }
/** Longest a question may take, the answer streamed included. */
const ASK_TIMEOUT_MS = 10 * 60_000
const ROLES = new Set(['system', 'user', 'assistant'])

export interface AskServerInit {
  node: Libp2p
  bus: Bus
  membership: Membership
  gate: PolicyGate
  /** This node's router (the gateway's view of it). */
  mesh: GatewayMesh
  log: Logger
  signal: AbortSignal
}

type Event = Partial<AskEvent> & { type: AskEvent['type'] }

class Refused extends Error {
  constructor (readonly code: string, message: string, readonly hint = '') {
    super(message)
  }
}

function full (e: Event): AskEvent {
  return { text: '', task: '', device: '', peer: '', provider: '', model: '', tier: '', code: '', message: '', hint: '', firstTokenMs: 0, totalMs: 0, ...e }
}

/**
 * /smesh/ask/1.0.0: a browser device's question, routed by this node as a
 * task for that device. The device's lease (task.submit; write for a
 * session) and the mesh policy for it are judged here, by the router for
 * every candidate, beside this node's own; the records name the device.
 */
export class AskServer {
  constructor (private readonly init: AskServerInit) {}

  async start (): Promise<void> {
    await this.init.node.handle(ASK_PROTOCOL, (stream, connection) => {
      void this.serve(stream, connection.remotePeer.toString())
    }, { maxInboundStreams: MAX_ASK_STREAMS })
  }

  private async serve (stream: Stream, peer: string): Promise<void> {
    const controller = new AbortController()
    const signal = AbortSignal.any([this.init.signal, controller.signal, AbortSignal.timeout(ASK_TIMEOUT_MS)])
    // the device closing its side (Stop, or the page going away) cancels the task on the serving device
    stream.addEventListener('close', () => { controller.abort() })
    const pb = pbStream(stream, { maxDataLength: MAX_ASK_REQUEST_BYTES })
    const send = async (e: Event): Promise<void> => { await pb.write(full(e), AskEvent, { signal }) }
    let req: AskRequest
    try {
      req = await pb.read(REQUEST, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
    } catch (err: any) {
      stream.abort(err)
      return
    }
    try {
      const device = this.check(peer, req)
      const session = req.session !== '' ? await this.sessionFor(device, req.session) : undefined
      // pieces of the answer are written in order, without waiting on each other; a write that fails
      // (the device stopped reading, or reset the stream) ends the task: nothing is left to answer
      let writing: Promise<void> = Promise.resolve()
      const queue = (e: Event): void => {
        writing = writing.then(async () => { await send(e) }).catch(() => { controller.abort() })
      }
      const outcome = await this.init.mesh.run({
        ...(req.messages.length > 0 ? { messages: req.messages.map(m => ({ role: m.role as ChatMessage['role'], content: m.content })) } : { prompt: req.prompt }),
        ...(session != null ? { session } : {}),
        ...(req.model !== '' ? { model: req.model } : {}),
        ...(req.residency !== '' ? { residency: req.residency } : {}),
        client: 'phone'
      }, {
        signal,
        onBehalfOf: device,
        onText: (text) => { queue({ type: 'text', text }) },
        onEvent: (e) => {
          if (e.type === 'assign') queue({ type: 'assign', task: e.task, device: e.device, peer: e.peer, provider: e.provider, model: e.model, tier: e.tier })
          else if (e.type === 'handoff') queue({ type: 'handoff', task: e.task, device: e.handoff.fromDevice, peer: e.handoff.from, code: e.handoff.reason, message: `moved on from ${e.handoff.fromDevice}: ${e.handoff.reason}` })
        }
      })
      await writing
      await send({ type: 'done', task: outcome.task, device: outcome.device, peer: outcome.peer, provider: outcome.provider, model: outcome.model, tier: outcome.tier, firstTokenMs: Math.round(outcome.firstTokenMs ?? 0), totalMs: Math.round(outcome.totalMs) })
      await stream.close({ signal })
    } catch (err: any) {
      if (controller.signal.aborted || this.init.signal.aborted) {
        stream.abort(err)
        return
      }
      const code = err instanceof Refused ? err.code : typeof err.code === 'string' ? err.code : 'failed'
      if (!(err instanceof Refused) && err.hint == null) this.init.log.warn({ err, peer }, 'a device\'s question failed')
      await send({ type: 'error', code, message: String(err.message).slice(0, 500), hint: String(err.hint ?? '').slice(0, 300) }).then(async () => { await stream.close() }).catch(() => { stream.abort(err) })
    }
  }

  /** The asking device, or why it may not ask this. */
  private check (peer: string, req: AskRequest): string {
    if (req.version !== ASK_VERSION) throw new Refused('protocol', `ask protocol version ${req.version} is not understood (this node speaks ${ASK_VERSION})`)
    const { membership } = this.init
    const device = membership.deviceOfPeer(peer)
    if (device == null || membership.status(device) !== 'active') throw new Refused('not-allowed', 'this PeerId holds no live lease in the mesh')
    if (req.messages.length > 0 && (req.prompt !== '' || req.session !== '')) throw new Refused('invalid', 'a question has either messages, or a prompt (with a session, if any)')
    if (req.messages.some(m => !ROLES.has(m.role))) throw new Refused('invalid', 'a message\'s role is system, user or assistant')
    return device
  }

  /**
   * The session's full id, once the device may add to it: the messages the
   * router writes for it are judged as the device's own entries would be
   * (its lease's read and write scopes, every action the policy in force
   * sees in a session message), whatever prefix the device gave.
   */
  private async sessionFor (device: string, ref: string): Promise<string> {
    const { membership, gate } = this.init
    if (!membership.has(device, 'read') || !membership.has(device, 'write')) throw new Refused('not-allowed', 'the device\'s lease does not include read and write, which continuing a session needs')
    let id: string
    try {
      id = await resolveSession(this.init.bus, ref.slice(0, 80))
    } catch (err: any) {
      throw new Refused('invalid', String(err.message), String(err.hint ?? ''))
    }
    const v = gate.entryVerdict(KINDS.sessionMessage, encodeJsonBody({ session: id, role: 'user', content: '' }), device)
    if (v.effect !== 'allow') throw new Refused('not-allowed', `${String(v.action)} of ${JSON.stringify(v.subject)} is ${v.effect === 'block' ? 'blocked' : 'held for an admin\'s approval'} by rule ${String(v.rule)} of the mesh policy for this device`, 'an admin can change the rules with smesh policy set')
    return id
  }
}
