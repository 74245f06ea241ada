import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createJoinPeer } from '@smesh/mesh'
import { swarmKey } from '@smesh/membership'
import { Lan } from '../src/harness/lan.js'
import { startMesh } from '../src/harness/mesh.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { percentiles, progress, summarize } from './stats.js'
import type { MemberRow } from '@smesh/node'

const connected = async (p: SmeshProcess, peerId: string): Promise<boolean> => (await p.peers()).some(x => x.peerId === peerId && x.connected)

/**
 * Join time: from spawning `smesh join TOKEN` (one step: join, then run the
 * node) on a new device to the first replicated entry there (a memory entry
 * the root wrote before), on a LAN of namespaces with mDNS on. Each rep is a
 * new device on one of the hosts; the join exchange alone is reported too.
 */
export async function benchMeshJoin (reps: number): Promise<Record<string, unknown>> {
  progress(`mesh-join: a root and two members, ${reps} devices joining`)
  const lan = await Lan.create(4)
  const procs: SmeshProcess[] = []
  try {
    procs.push(...await startMesh([0, 1, 2].map(i => ({ ns: lan.hosts[i]?.ns, name: `m${i}` }))))
    const root = procs[0] as SmeshProcess
    await root.memorySet('bench/first', 'replicated')
    const total: number[] = []
    const exchange: number[] = []
    const ready: number[] = []
    for (let r = 0; r < reps; r++) {
      const token = await root.invite()
      const p = await SmeshProcess.start({ ns: lan.hosts[3]?.ns, name: `joiner-${r}`, join: token, args: ['--json'] })
      procs.push(p)
      ready.push(Date.now() - p.spawnedAt)
      await waitFor(async () => (await p.memory('bench/first')).length === 1, { timeoutMs: 30_000, intervalMs: 10, what: 'the first replicated entry on the new device' })
      total.push(Date.now() - p.spawnedAt)
      const line = p.stdout.split('\n').find(l => l.startsWith('{'))
      exchange.push(line != null ? Number(JSON.parse(line).ms) : NaN)
      await p.stop()
    }
    return {
      note: 'spawnToFirstEntryMs: spawn of `smesh join TOKEN` to the root\'s memory entry readable on the new device (process start, identity creation, join exchange, node start, sync); joinExchangeMs: dial of the inviter\'s join listener to the signed lease, as the join command measures it',
      spawnToFirstEntryMs: summarize(total),
      spawnToApiReadyMs: summarize(ready),
      joinExchangeMs: summarize(exchange)
    }
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}

/**
 * Revocation propagation: a 5-node mesh (root, three members, the device to
 * revoke); from the root's API call to each other node (a) having closed
 * every connection to the device and (b) listing it as revoked. A new
 * device joins for each rep (a revoked one cannot rejoin).
 */
export async function benchMeshRevoke (reps: number): Promise<Record<string, unknown>> {
  progress(`mesh-revoke: 5 nodes, ${reps} revocations`)
  const lan = await Lan.create(5)
  const procs: SmeshProcess[] = []
  try {
    const nodes = await startMesh([0, 1, 2, 3].map(i => ({ ns: lan.hosts[i]?.ns, name: `m${i}` })))
    procs.push(...nodes)
    const root = nodes[0] as SmeshProcess
    const cutAll: number[] = []
    const cutEach: number[] = []
    const listedAll: number[] = []
    for (let r = 0; r < reps; r++) {
      const dev = await SmeshProcess.start({ ns: lan.hosts[4]?.ns, name: `dev-${r}`, join: await root.invite() })
      procs.push(dev)
      const id = (await dev.id()).peerId
      for (const p of nodes) await waitFor(async () => await connected(p, id), { timeoutMs: 20_000, what: `${p.name} connected to the device` })
      const started = performance.now()
      await root.post('/v1/revoke', { device: id })
      const times = await Promise.all(nodes.map(async p => {
        await waitFor(async () => !(await connected(p, id)), { timeoutMs: 15_000, intervalMs: 10, what: `${p.name} to drop the device` })
        const cut = performance.now() - started
        if (p !== root) await waitFor(async () => (await p.api<MemberRow[]>('/v1/members')).some(m => m.peerId === id && m.status === 'revoked'), { timeoutMs: 15_000, intervalMs: 10, what: `${p.name} to list the device as revoked` })
        return { cut, listed: performance.now() - started, self: p === root }
      }))
      cutEach.push(...times.filter(t => !t.self).map(t => t.cut))
      cutAll.push(Math.max(...times.map(t => t.cut)))
      listedAll.push(Math.max(...times.filter(t => !t.self).map(t => t.listed)))
      await dev.stop()
    }
    return {
      note: 'from POST /v1/revoke on the root: every connection of the five-node mesh to the device closed (allNodesCutMs; the goal is within 5 s), each other node\'s own cut (perNodeCutMs), and every node listing it as revoked (allNodesListedRevokedMs); polled every 10 ms',
      allNodesCutMs: summarize(cutAll),
      perNodeCutMs: percentiles(cutEach),
      allNodesListedRevokedMs: summarize(listedAll)
    }
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}

/**
 * What the private network key costs a connection: two bare libp2p nodes
 * (TCP, Noise, Yamux) on 127.0.0.1, dialing and closing in turns with and
 * without @libp2p/pnet, paced below libp2p's inbound rate limit (5 a second
 * per address). No discovery, loopback only.
 */
export async function benchMeshPnet (dials: number): Promise<Record<string, unknown>> {
  progress(`mesh-pnet: ${dials} connections with and without the network key, loopback`)
  const key = swarmKey({ networkKey: randomBytes(32).toString('hex') })
  const pair = async (networkKey?: Uint8Array): Promise<Array<Awaited<ReturnType<typeof createJoinPeer>>>> => {
    const a = await createJoinPeer({ privateKey: await generateKeyPair('Ed25519'), networkKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const b = await createJoinPeer({ privateKey: await generateKeyPair('Ed25519'), networkKey })
    await a.start()
    await b.start()
    return [a, b]
  }
  const withKey = await pair(key)
  const without = await pair()
  const samples: Record<'with' | 'without', number[]> = { with: [], without: [] }
  try {
    for (let i = 0; i < dials + 20; i++) {
      for (const [label, [a, b]] of [['with', withKey], ['without', without]] as const) {
        const addr = (a as any).getMultiaddrs()[0]
        const t = performance.now()
        const conn = await (b as any).dial(addr)
        const ms = performance.now() - t
        await conn.close()
        if (i >= 20) samples[label].push(ms) // the first 20 warm the code up
      }
      // libp2p lets an address open at most 5 inbound connections a second (inboundConnectionThreshold)
      await new Promise(resolve => setTimeout(resolve, 220))
    }
  } finally {
    for (const n of [...withKey, ...without]) await (n as any).stop()
  }
  const w = percentiles(samples.with)
  const wo = percentiles(samples.without)
  return {
    note: 'connection setup (TCP connect, [pnet nonce exchange], multistream, Noise XX, Yamux) until the connection is open, alternating with and without the key',
    withKeyMs: w,
    withoutKeyMs: wo,
    overheadMedianMs: Math.round((w.p50 - wo.p50) * 100) / 100,
    overheadMedianPct: Math.round((w.p50 / wo.p50 - 1) * 1000) / 10
  }
}
