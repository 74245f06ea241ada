import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { busGossipOptions } from '@smesh/bus'
import { createMeshNode } from '@smesh/mesh'
import { joinInProcess } from './harness/mesh.js'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import type { MeshNode } from '@smesh/mesh'
import type { Stream } from '@libp2p/interface'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
const PER_PROTOCOL = 300

/**
 * Matrix row 15: a member opens far more inbound streams than allowed, on
 * every protocol the node serves, over one connection, and holds them. The
 * extras are reset; the node's memory stays flat; it keeps serving.
 */
describe('reliability matrix: stream floods', { timeout: 180_000 }, () => {
  let root: SmeshProcess | undefined
  let member: MeshNode | undefined
  after(async () => {
    await member?.stop()
    await root?.stop()
  })

  it(`row 15: ${PER_PROTOCOL} streams on every protocol: the extras are reset, memory stays flat`, async (t) => {
    root = await SmeshProcess.start({ name: 'root', args: LOOPBACK })
    const rootAddr = (await root.id()).listenAddrs[0] as string
    const m = await joinInProcess(await root.invite(), 'streamer')
    const gossip = busGossipOptions(m.mesh)
    member = await createMeshNode({ privateKey: m.privateKey, mesh: m.mesh, name: 'streamer', software: 'smesh/0.1.0', binding: m.binding, networkKey: m.networkKey, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [rootAddr], mdns: false, topics: gossip.topics, msgIdFn: gossip.msgIdFn })
    await member.start()
    const rootId = peerIdFromString((await root.id()).peerId)
    await member.dial(multiaddr(rootAddr))
    const protocols = await waitFor(async () => {
      const p = await member?.peerStore.get(rootId).catch(() => undefined)
      return p != null && p.protocols.length > 0 && p.protocols.filter(x => x.startsWith('/smesh/') || x.startsWith('/ipfs/') || x.startsWith('/meshsub/') || x.startsWith('/libp2p/'))
    }, { timeoutMs: 10_000, what: 'the node\'s protocols (identify)' })
    await new Promise(resolve => setTimeout(resolve, 2_000))
    const start = (await root.status()).memory
    const before = start.rssBytes
    const held: Stream[] = []
    const accepted: Record<string, number> = {}
    for (const protocol of protocols) {
      const results = await Promise.allSettled(Array.from({ length: PER_PROTOCOL }, async () => await (member as MeshNode).dialProtocol(rootId, protocol, { signal: AbortSignal.timeout(10_000) })))
      const open = results.filter((r): r is PromiseFulfilledResult<Stream> => r.status === 'fulfilled').map(r => r.value)
      // a stream the node accepted and then reset does not count: wait a moment, then count what is still open
      await new Promise(resolve => setTimeout(resolve, 300))
      accepted[protocol] = open.filter(s => s.status === 'open').length
      held.push(...open)
    }
    await new Promise(resolve => setTimeout(resolve, 2_000))
    const s = await root.status()
    const growthMb = (s.memory.rssBytes - before) / 1048576
    t.diagnostic(`streams still open per protocol (of ${PER_PROTOCOL} asked): ${JSON.stringify(accepted)}; node RSS ${Math.round(before / 1048576)} -> ${Math.round(s.memory.rssBytes / 1048576)} MiB; event loop ${JSON.stringify(s.health.eventLoop)}`)
    for (const [protocol, n] of Object.entries(accepted)) {
      // the task protocol lets a peer hold 256 streams (its share of the executor is bounded inside); every other one a handful
      const limit = protocol.startsWith('/smesh/task/') ? 256 : 32
      assert.ok(n <= limit, `${protocol}: ${n} streams held open, over ${limit}`)
    }
    // bounded by the limits (the extras were reset): the streams held cost their buffers, no more
    assert.ok(growthMb < 80, `RSS grew ${growthMb.toFixed(1)} MiB while the streams were held`)
    // and it still serves: a write goes through
    assert.equal((await root.memorySet('still/here', 1)).kind, 'memory.put')
    for (const st of held) st.abort(new Error('done'))
    await new Promise(resolve => setTimeout(resolve, 5_000))
    const released = (await root.status()).memory
    t.diagnostic(`5 s after the member let go: RSS ${Math.round(released.rssBytes / 1048576)} MiB, heap ${Math.round(start.heapUsedBytes / 1048576)} -> ${Math.round(released.heapUsedBytes / 1048576)} MiB`)
    assert.ok((released.heapUsedBytes - start.heapUsedBytes) / 1048576 < 40, 'the heap is back near where it was (garbage not yet collected included)')
  })
})
