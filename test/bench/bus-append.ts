import { join } from 'node:path'
import { BUS_DIR, Bus, ENTRY_CONTEXT, LevelStorage, busGossipOptions, busReplication, createSigner, openBus } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { createMeshNode } from '@smesh/mesh'
import { VERSION } from '@smesh/node'
import { joinInProcess } from '../src/harness/mesh.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { KIND, NodeApi, clockTicksPerSec, closedLoop, ownCpuSeconds, randomBodies, rateSync, round } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { progress } from './stats.js'
import type { AuthorView } from '@smesh/bus'
import type { Identity } from '@smesh/identity'
import type { MeshNode } from '@smesh/mesh'
import type { InProcessMember } from '../src/harness/mesh.js'

export interface BusAppendOptions {
  /** Length of each timed phase. */
  seconds: number
  bodyBytes: number
  /** Appends in flight in the pipelined phase. */
  inFlight: number
  /** Concurrent POST /v1/bus/append requests. */
  apiConcurrency: number
}

type Rate = Awaited<ReturnType<typeof closedLoop>>
type Measured = Rate & { cpuPercent?: { self: number, peer: number } }

async function newBus (): Promise<{ bus: Bus, identity: Identity }> {
  const dir = tempDir('smesh-bench-append')
  const identity = await loadOrCreateIdentity(dir)
  return { bus: await openBus(dir, identity), identity }
}

/** A Bus on LevelDB in a new dir that signs as `member` (the device the mesh admitted), accepting every entry. */
async function memberBus (member: InProcessMember): Promise<Bus> {
  const bus = new Bus({
    storage: new LevelStorage(join(tempDir('smesh-bench-append'), BUS_DIR)),
    signer: createSigner(member.seed),
    binding: member.binding,
    identityCreated: true
  })
  await bus.open()
  return bus
}

/** Sequential (each append awaited) and pipelined (`inFlight` at once) append rates of `bus`, after 20 uncounted appends. */
async function appendRates (bus: Bus, o: BusAppendOptions, body: (i: number) => Uint8Array, measure: (run: () => Promise<Rate>) => Promise<Measured> = async run => await run()): Promise<{ sequential: Measured, pipelined: Measured }> {
  const one = async (i: number): Promise<void> => { await bus.append(KIND, body(i)) }
  await closedLoop(1, { count: 20 }, one)
  const sequential = await measure(async () => await closedLoop(1, { seconds: o.seconds }, one))
  const pipelined = await measure(async () => await closedLoop(o.inFlight, { seconds: o.seconds }, one))
  return { sequential, pipelined }
}

/**
 * Append rate of one author against the raw ML-DSA-65 sign rate, in one
 * process: a real Bus on LevelDB (own entries written with fsync) inside a
 * real libp2p node that publishes every entry to one real `smesh start`
 * peer (host namespace, no mDNS, loopback only). For comparison: a Bus
 * alone (nothing published), and the append rate through the peer's control
 * API. The raw sign rate is taken before and after (the machine is shared).
 *
 * Only members connect and write: the peer makes the mesh (smesh init), and
 * the in-process node is a member admitted with a token from it through the
 * real join protocol (fresh keys; its Bus signs as that device). It dials
 * the peer, where it used to be the one dialed.
 */
export async function benchBusAppend (o: BusAppendOptions): Promise<Record<string, unknown>> {
  progress(`bus-append: raw sign rate, then appends of ${o.bodyBytes}-byte bodies (${o.seconds} s per phase)`)
  const hz = clockTicksPerSec()
  const msgs = randomBodies(64, o.bodyBytes)
  const body = (i: number): Uint8Array => msgs[i % msgs.length] as Uint8Array
  // the raw rates with a key of their own: the sign rate does not depend on the key
  const identity = await loadOrCreateIdentity(tempDir('smesh-bench-append'))
  const signer = createSigner(identity.pqSeed)
  const rawBefore = rateSync(o.seconds, i => { signer.signSync(body(i), ENTRY_CONTEXT) })
  // what Bus.append does per entry: the callback form on libuv's pool, one at a time
  const rawAsync = await closedLoop(1, { seconds: o.seconds }, async i => await signer.sign(body(i), ENTRY_CONTEXT))
  progress(`bus-append: raw signSync ${rawBefore.perSec}/s, sign on the pool one at a time ${rawAsync.perSec}/s (${signer.backend})`)

  // the bus alone, another author: signed and stored with fsync, published nowhere
  const alone = await newBus()
  let busOnly: Awaited<ReturnType<typeof appendRates>>
  try {
    busOnly = await appendRates(alone.bus, o, body)
  } finally {
    await alone.bus.close()
  }
  progress(`bus-append: bus only (no network): sequential ${busOnly.sequential.perSec}/s, pipelined ${busOnly.pipelined.perSec}/s`)

  let node: MeshNode | undefined
  let nodeBus: Bus | undefined
  let peer: SmeshProcess | undefined
  let peerApi: NodeApi | undefined
  let published: Awaited<ReturnType<typeof appendRates>>
  let check: Record<string, unknown>
  let viaApi: Rate
  try {
    peer = await SmeshProcess.start({ name: 'append-peer', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
    const peerAddr = (await peer.id()).listenAddrs[0]
    if (peerAddr == null) throw new Error('the peer has no listen address')
    const member = await joinInProcess(await peer.invite(), 'bench-append')
    const bus = nodeBus = await memberBus(member)
    const gossip = busGossipOptions(member.mesh)
    const topic = gossip.topics[0] as string
    node = await createMeshNode({
      privateKey: member.privateKey,
      mesh: member.mesh,
      networkKey: member.networkKey,
      name: 'bench-append',
      software: `smesh/${VERSION}`,
      binding: member.binding,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [peerAddr],
      mdns: false,
      topics: gossip.topics,
      msgIdFn: gossip.msgIdFn,
      topicScoreParams: gossip.topicScoreParams,
      services: { bus: busReplication({ bus, mesh: member.mesh }) }
    })
    await node.start()
    const api = peerApi = await NodeApi.open(peer.dataDir)
    const peerPid = peer.pid
    const peerId = (await peer.id()).peerId
    // the implementation has getMeshPeers; the interface type lacks it
    const pubsub = node.services.pubsub as unknown as { getMeshPeers: (topic: string) => string[] }
    await waitFor(() => pubsub.getMeshPeers(topic).includes(peerId), { timeoutMs: 20_000, what: 'the peer in the bus topic\'s gossipsub mesh' })

    // CPU of this process (all threads: signing is on libuv's pool) and of the peer, per phase
    const withCpu = async (run: () => Promise<Rate>): Promise<Measured> => {
      const own0 = ownCpuSeconds()
      const peer0 = await cpuTicks(peerPid)
      const r = await run()
      const sec = r.ms / 1000
      return { ...r, cpuPercent: { self: round((ownCpuSeconds() - own0) / sec * 100), peer: round((await cpuTicks(peerPid) - peer0) / hz / sec * 100) } }
    }
    published = await appendRates(bus, o, body, withCpu)
    progress(`bus-append: published: sequential ${published.sequential.perSec}/s, pipelined (${o.inFlight} in flight) ${published.pipelined.perSec}/s`)

    // every entry published must reach the peer, by gossip (sync would only repair)
    const total = Number(bus.head(bus.authorHex)?.seq ?? 0n)
    const lastAt = performance.now()
    await waitFor(async () => (await api.get<AuthorView[]>('/v1/bus/heads')).find(h => h.author === bus.authorHex)?.seq === String(total), { timeoutMs: 60_000, intervalMs: 20, what: 'the peer to hold every entry' })
    check = {
      entries: total,
      peerHadAll: true,
      peerLagAfterLastAppendMs: round(performance.now() - lastAt),
      peerReceivedBySync: (await api.status()).peers.reduce((n, p) => n + p.received, 0)
    }

    const b64 = msgs.map(m => Buffer.from(m).toString('base64'))
    viaApi = await closedLoop(o.apiConcurrency, { seconds: o.seconds }, async i => await api.append(b64[i % b64.length] as string))
    progress(`bus-append: control API (${o.apiConcurrency} concurrent) ${viaApi.perSec}/s`)
  } finally {
    peerApi?.close()
    await peer?.stop()
    await node?.stop()
    await nodeBus?.close()
  }
  const rawAfter = rateSync(o.seconds, i => { signer.signSync(body(i), ENTRY_CONTEXT) })
  progress(`bus-append: raw signSync again ${rawAfter.perSec}/s`)
  const raw = Math.max(rawBefore.perSec, rawAfter.perSec)
  const overhead = (rate: number): number => round(1 - rate / raw, 3)
  return {
    bodyBytes: o.bodyBytes,
    backend: signer.backend,
    rawSignsPerSec: raw,
    rawSignsPerSecBeforeAfter: [rawBefore.perSec, rawAfter.perSec],
    rawAsyncSignsPerSecOneAtATime: rawAsync.perSec,
    appendsPerSecSequential: published.sequential.perSec,
    appendsPerSecPipelined: published.pipelined.perSec,
    inFlight: o.inFlight,
    overheadSequential: overhead(published.sequential.perSec),
    overheadPipelined: overhead(published.pipelined.perSec),
    overheadGoal: '< 0.2 (overhead = 1 - appends/raw, raw = the better of the two raw measurements)',
    cpuPercentSequential: published.sequential.cpuPercent,
    cpuPercentPipelined: published.pipelined.cpuPercent,
    published: check,
    busOnly: {
      note: 'another Bus in the same process, no libp2p node: signed and stored with fsync, not published',
      appendsPerSecSequential: busOnly.sequential.perSec,
      appendsPerSecPipelined: busOnly.pipelined.perSec,
      overheadSequential: overhead(busOnly.sequential.perSec),
      overheadPipelined: overhead(busOnly.pipelined.perSec)
    },
    controlApi: { concurrency: o.apiConcurrency, appendsPerSec: viaApi.perSec, appends: viaApi.ops, note: 'POST /v1/bus/append on the smesh peer process (keep-alive client over its Unix socket), which publishes to the in-process node' }
  }
}
