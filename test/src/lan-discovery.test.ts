import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { netnsUnavailable } from './harness/exec.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { waitFor } from './harness/smesh-process.js'
import type { SmeshProcess } from './harness/smesh-process.js'
import { startMesh } from './harness/mesh.js'
import type { PeerView } from '@smesh/mesh'

const skip = netnsUnavailable()

/**
 * Five hosts on one private LAN: three run mesh "home", two run mesh "office".
 * Discovery is mDNS alone: no node is given a peer address.
 */
describe('LAN discovery in network namespaces', { skip, timeout: 180_000 }, () => {
  let lan: Lan
  const home: SmeshProcess[] = []
  const office: SmeshProcess[] = []
  const ids = new Map<SmeshProcess, string>()

  before(async () => {
    lan = await Lan.create(5)
    // two meshes, each made by its first node and joined by the others: different network keys
    const [h, o] = await Promise.all([
      startMesh(lan.hosts.slice(0, 3).map((host, i) => ({ ns: host.ns, name: `home-${i}`, meshName: 'home' }))),
      startMesh(lan.hosts.slice(3).map((host, i) => ({ ns: host.ns, name: `office-${i}`, meshName: 'office' })))
    ])
    home.push(...h)
    office.push(...o)
    for (const p of [...home, ...office]) ids.set(p, (await p.id()).peerId)
  })

  after(async () => {
    await Promise.all([...home, ...office].filter(p => p != null).map(async p => { await p.stop() }))
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  const peerIds = (list: PeerView[]): string[] => list.map(p => p.peerId).sort()
  const expectedPeers = (group: SmeshProcess[], self: SmeshProcess): string[] =>
    group.filter(p => p !== self).map(p => ids.get(p) ?? '').sort()

  it('every node of a mesh lists the others, by mDNS alone, and only them', async () => {
    for (const group of [home, office]) {
      for (const p of group) {
        await waitFor(async () => {
          const list = await p.peers()
          // a peer is listed from its first authenticated sign of life; its name comes with its first beacon
          return JSON.stringify(peerIds(list)) === JSON.stringify(expectedPeers(group, p)) && list.every(x => x.name !== '' && x.connected) && list
        }, { timeoutMs: 10_000, what: `${p.name} to list the other nodes of its mesh, named and connected` })
      }
    }
    // what a user sees: `smesh peers --json` from the CLI, inside the node's host
    for (const p of home) {
      const res = await p.cli(['peers', '--json'])
      assert.equal(res.code, 0, res.stderr)
      const listed = JSON.parse(res.stdout) as PeerView[]
      assert.deepEqual(peerIds(listed), expectedPeers(home, p))
      for (const peer of listed) {
        assert.equal(peer.connected, true, `${p.name} should be connected to ${peer.name}`)
        assert.match(peer.name, /^home-\d$/)
        assert.match(peer.addrs[0] ?? '', /^\/ip4\/10\.213\.7\.\d+\/tcp\/7370$/, 'the address shown is the peer\'s LAN address')
        assert.ok(peer.lastSeenMs >= 0 && peer.lastSeenMs < 6_000, `last heard ${peer.lastSeenMs} ms ago`)
        for (const key of ['peerId', 'name', 'addrs', 'connected', 'rttMs', 'lastSeenMs']) assert.ok(key in peer, `--json has ${key}`)
      }
    }
  })

  it('nodes of another mesh on the same LAN are never listed', async () => {
    const officeIds = new Set(office.map(p => ids.get(p)))
    const homeIds = new Set(home.map(p => ids.get(p)))
    // two more beacon rounds: long enough for any cross-mesh leak to show
    await new Promise(resolve => setTimeout(resolve, 6_000))
    for (const p of home) {
      for (const peer of await p.peers()) assert.ok(!officeIds.has(peer.peerId), `${p.name} lists office node ${peer.name}`)
      assert.ok((await p.topology()).nodes.every(n => !officeIds.has(n.peerId)))
    }
    for (const p of office) {
      for (const peer of await p.peers()) assert.ok(!homeIds.has(peer.peerId), `${p.name} lists home node ${peer.name}`)
    }
  })

  it('the topology shows the whole mesh with RTTs, as text, JSON and DOT', async () => {
    const p = home[0] as SmeshProcess
    const topo = await waitFor(async () => {
      const t = await p.topology()
      return t.links.length === 3 && t.links.every(l => l.rttMs != null && !l.stale) && t
    }, { timeoutMs: 12_000, what: 'a full triangle with RTTs' })
    assert.equal(topo.nodes.length, 3)
    // each link is reported by both of its ends
    for (const l of topo.links) assert.deepEqual(l.reportedBy, [l.a, l.b].sort())
    const text = await p.cli(['topology'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /mesh "home": 3 nodes, 3 links/)
    for (const q of home) assert.ok(text.stdout.includes(q.name), `topology text names ${q.name}`)
    const dot = await p.cli(['topology', '--dot'])
    assert.match(dot.stdout, /^graph "smesh home" \{/)
    assert.equal(dot.stdout.match(/ -- /g)?.length, 3)
  })

  it('a node cut off silently is pruned after 20 s of silence and rediscovered when its link returns', async (t) => {
    const [a, b, c] = home as [SmeshProcess, SmeshProcess, SmeshProcess]
    const cId = ids.get(c) as string
    const host = lan.hosts[2]!
    const lists = async (p: SmeshProcess, id: string): Promise<boolean> => (await p.peers()).some(x => x.peerId === id)
    await waitFor(async () => await lists(a, cId) && await lists(b, cId), { timeoutMs: 10_000, what: 'a and b to list c' })

    const cutAt = Date.now()
    await lan.cut(host)
    // a dropped connection alone does not prune: halfway through, c is still listed (perhaps disconnected)
    await new Promise(resolve => setTimeout(resolve, 10_000))
    assert.ok(await lists(a, cId), 'c must still be listed 10 s after the cut')

    const prunedAfter = await Promise.all([a, b].map(async p => {
      await waitFor(async () => !(await lists(p, cId)), { timeoutMs: 15_000, intervalMs: 50, what: `${p.name} to prune ${c.name}` })
      return Date.now() - cutAt
    }))
    t.diagnostic(`pruned ${prunedAfter.join(', ')} ms after the cut`)
    for (const ms of prunedAfter) {
      assert.ok(ms >= 15_000 && ms <= 21_000, `pruned ${ms} ms after the cut; expected 15-21 s (20 s after the last beacon)`)
    }
    // c, alone on its side, prunes both others too
    await waitFor(async () => (await c.peers()).length === 0, { timeoutMs: 8_000, what: 'c to prune a and b' })

    const restoredAt = Date.now()
    await lan.restore(host)
    const back = await Promise.all([a, b].map(async p => {
      await waitFor(async () => await lists(p, cId), { timeoutMs: 10_000, intervalMs: 50, what: `${p.name} to rediscover ${c.name}` })
      return Date.now() - restoredAt
    }))
    t.diagnostic(`rediscovered ${back.join(', ')} ms after the link returned`)
    for (const ms of back) assert.ok(ms <= 6_000, `rediscovered ${ms} ms after the link returned; expected within 6 s`)
    await waitFor(async () => (await c.peers()).length === 2, { timeoutMs: 6_000, what: 'c to list a and b again' })
  })
})
