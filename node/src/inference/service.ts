import { peerIdFromString } from '@libp2p/peer-id'
import { createSigner, encodeJsonBody, sessionAppend, sessionShow } from '@smesh/bus'
import { ADVERT_CAPABILITY } from '@smesh/protocols'
import { Catalog, Executor, Router, TASK_PROTOCOL, TASK_PROTOCOL_V1, TaskFailedError, TaskServer, receiptBytes } from '@smesh/tasks'
import type { GatewayMesh } from '@smesh/gateway'
import { buildProviders } from './providers.js'
import type { Bus } from '@smesh/bus'
import type { Identity } from '@smesh/identity'
import { PolicyBlockedError } from '@smesh/membership'
import type { Membership, PolicyGate } from '@smesh/membership'
import type { MeshNode } from '@smesh/mesh'
import type { ChatMessage, Provider } from '@smesh/inference'
import type { pino } from 'pino'
import type { InferenceConfig } from '../config/schema.js'

/**
 * Task streams one connection may hold open at once. What a peer can make
 * this node hold is bounded by the task server instead: a stream counts
 * against the peer's share (2 x concurrency) from before its request is read.
 */
const MAX_TASK_STREAMS = 256

export interface TaskServiceInit {
  identity: Identity
  name: string
  config: InferenceConfig
  env: NodeJS.ProcessEnv
  bus: Bus
  membership: Membership
  /** The mesh policy: where this device may send tasks, and whose tasks it may run where. */
  gate: PolicyGate
  log: pino.Logger
}

/**
 * Inference on a node: its providers (the executor, created before libp2p so
 * the advert rides in the first beacon), and once libp2p runs, the task
 * protocol's server, the catalog of what the mesh can run and the router.
 */
export class TaskService {
  readonly executor: Executor
  /** This node's PeerId: its own task records say "self", a receipt names it. */
  readonly peerId: string
  router?: Router
  catalog?: Catalog
  private records: Promise<void> = Promise.resolve()
  private controller = new AbortController()
  private readonly providers: Provider[]

  constructor (private readonly init: TaskServiceInit) {
    this.providers = buildProviders(init.config, init.env, (model, reason) => {
      init.log.warn({ event: 'model:invalid', model, reason }, 'a model file in the models directory is not a valid GGUF model: it is not offered (fix or remove it)')
    })
    this.peerId = init.identity.peerId.toString()
    this.executor = new Executor({
      peerId: init.identity.peerId.toString(),
      providers: this.providers,
      signer: createSigner(init.identity.pqSeed),
      concurrency: init.config.concurrency,
      protocols: init.env.SMESH_TASK_PROTOCOLS === '1.0.0' ? ['1.0.0'] : undefined
    })
    this.executor.addEventListener('executor:cooldown', (evt) => {
      const { provider, until, kind } = evt.detail
      init.log.warn({ event: 'task:cooldown', provider, until, kind }, 'a provider rate-limited or is overloaded: it rests until then, and the advert says so')
    })
  }

  /**
   * The task protocols this node serves: 1.1.0 and 1.0.0, or only 1.0.0
   * with SMESH_TASK_PROTOCOLS=1.0.0 (a node as an older smesh is: for
   * compatibility tests).
   */
  private protocols (): string[] {
    return this.executor.protocols.includes('1.1.0') ? [TASK_PROTOCOL, TASK_PROTOCOL_V1] : [TASK_PROTOCOL_V1]
  }

  /** The presence capability carrying this node's signed advert. */
  capabilities (): Array<{ name: string, value: Uint8Array }> {
    return [{ name: ADVERT_CAPABILITY, value: this.executor.advert() }]
  }

  /** Appends a task record to the bus after the ones before it; a failure is logged, never thrown. */
  record (kind: string, body: object): void {
    this.records = this.records.then(async () => {
      await this.init.bus.append(kind, encodeJsonBody(body))
    }).catch((err: Error) => {
      this.init.log.warn({ err, kind }, 'a task record could not be written to the bus')
    })
  }

  async start (node: MeshNode): Promise<void> {
    const { identity, membership, gate, log } = this.init
    const self = identity.pqFingerprint
    const peerId = identity.peerId.toString()
    this.controller = new AbortController()
    const presence = node.services.presence
    this.executor.addEventListener('executor:change', () => { presence.announce() })
    void this.executor.start().catch((err: Error) => { log.warn({ err }, 'reading the providers\' models failed') })
    this.catalog = new Catalog({
      self: { peerId, name: this.init.name },
      executor: this.executor,
      peers: { peers: () => presence.peers(), capability: (id, name) => presence.capability(id, name) },
      onInvalid: (peer, reason) => { log.warn({ event: 'task:advert-invalid', peer, reason }, 'a peer\'s model advert was refused') }
    })
    const server = new TaskServer({
      executor: this.executor,
      peerId,
      refuse: (peer) => {
        if (!membership.has(self, 'task.serve')) return 'this node\'s lease does not include task.serve'
        const device = membership.deviceOfPeer(peer)
        if (device == null || !membership.has(device, 'task.submit')) return 'your lease does not include task.submit'
        return undefined
      },
      // the submitting device's routing classes, judged here too: a node that skips the check on its side gets nothing run
      authorize: async (peer, task, signal) => {
        const device = membership.deviceOfPeer(peer)
        const tier = this.executor.tierOf(task.provider)
        if (device == null || tier == null) return undefined
        const c = { model: task.model, tier, provider: task.provider }
        // a task routed for another member (a browser device): that member's lease and the policy for it decide too
        if (task.onBehalfOf != null) {
          if (membership.status(task.onBehalfOf) !== 'active' || !membership.has(task.onBehalfOf, 'task.submit')) return 'the device the task is run for holds no live lease with task.submit'
          const theirs = await gate.checkTask(task.onBehalfOf, c, [], { signal, waitMs: 0 })
          if (theirs != null) return theirs
        }
        return await gate.checkTask(device, c, task.approvals, { signal })
      },
      // what this node served, signed for the submitter's record instead of an entry of its own on every device's bus
      signReceipt: async (r) => await identity.privateKey.sign(receiptBytes(r)),
      onServed: ({ id, peer, result, error }) => {
        if (result != null) {
          log.info({ event: 'task:served', task: id, peer, provider: result.provider, model: result.model, ms: result.totalMs, ...('vectors' in result ? { inputs: result.vectors.length } : {}) }, 'served a task for a peer')
        } else if (error != null) {
          log.info({ event: 'task:refused', task: id, peer, code: error.code }, 'a task for a peer ended in an error')
        }
      }
    })
    // 1.1.0 for nodes of this version, 1.0.0 for older ones (chat text only)
    for (const protocol of this.protocols()) {
      await node.handle(protocol, (stream, connection) => {
        server.serve(stream, connection, this.controller.signal, protocol).catch((err: Error) => {
          stream.abort(err)
          log.warn({ err }, 'a task stream failed')
        })
      }, { maxInboundStreams: MAX_TASK_STREAMS, maxOutboundStreams: MAX_TASK_STREAMS })
    }
    this.router = new Router({
      self: { peerId, name: this.init.name },
      catalog: this.catalog,
      executor: this.executor,
      residency: this.init.config.residency,
      policy: this.init.config.tierPolicy,
      // libp2p opens the stream on the connection already there, and dials only when there is none
      open: async (peer, signal, protocol) => await node.dialProtocol(peerIdFromString(peer), protocol, { signal }),
      record: (kind, body) => { this.record(kind, body) },
      refuse: (device) => {
        if (!membership.has(self, 'task.submit')) return 'this device\'s lease does not include task.submit'
        if (device != null && !membership.has(device, 'task.submit')) return 'the asking device\'s lease does not include task.submit'
        return undefined
      },
      governance: {
        // for a member this node routes for (a browser device), the policy for it decides as well as for this node
        verdict: (t, device) => {
          const mine = gate.taskVerdict(t)
          const theirs = device != null ? gate.taskVerdict(t, device) : 'allow'
          return mine === 'block' || theirs === 'block' ? 'block' : mine === 'ask' || theirs === 'ask' ? 'ask' : 'allow'
        },
        authorize: async (t, signal, device) => {
          if (device != null) {
            // the asking device cannot cite an approval yet: an ask for it is a refusal that says so
            const why = await gate.checkTask(device, t, [], { signal, waitMs: 0 })
            if (why != null) throw new PolicyBlockedError(why)
          }
          return await gate.authorizeTask(t, { signal })
        }
      },
      sessions: {
        history: async (id) => {
          const s = await sessionShow(this.init.bus, id)
          const messages: ChatMessage[] = s.messages.filter(m => m.role === 'user' || m.role === 'assistant' || m.role === 'system').map(m => ({ role: m.role as ChatMessage['role'], content: m.content }))
          return { id: s.id, messages }
        },
        append: async (id, message) => { await sessionAppend(this.init.bus, id, message) }
      }
    })
  }

  /** What the AI-client gateway needs of this node: its router and catalog, once started. */
  gatewayMesh (): GatewayMesh {
    const router = (): Router => {
      if (this.router == null) throw new TaskFailedError('busy', 'the node is still starting', 1_000)
      return this.router
    }
    return {
      run: async (input, options) => await router().run(input, options),
      embed: async (input, options) => await router().embed(input, options),
      candidates: () => this.catalog?.candidates() ?? [],
      residency: () => this.init.config.residency
    }
  }

  async stop (): Promise<void> {
    this.controller.abort()
    this.executor.stop()
    // embedded models leave memory with the node
    await Promise.all(this.providers.map(async p => await p.close?.()))
    await this.records
  }
}
