import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ENTRY_CONTEXT, busGossipOptions, createSigner, entrySignable, signEntry } from '@smesh/bus'
import { createMeshNode } from '@smesh/mesh'
import { Entry, busTopic } from '@smesh/protocols'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import { joinInProcess } from './harness/mesh.js'
import type { EntryView } from '@smesh/bus'
import type { MeshNode } from '@smesh/mesh'

/**
 * A hostile peer on loopback: a real libp2p node in this test process,
 * holding its own keys, connects to a real smesh node and publishes
 * damaged and forged entries on the bus topic.
 */
describe('the bus refuses bad entries from a peer and lowers its score', { timeout: 120_000 }, () => {
  let victim: SmeshProcess | undefined
  const hostile: MeshNode[] = []
  after(async () => {
    await Promise.all(hostile.map(async n => { await n.stop() }))
    await victim?.stop()
  })

  it('a flipped bit, another key\'s signature, a wrong prev link, an oversize entry and an unknown version are rejected, none stored; replays and an entry beyond a gap are not stored and not penalised', async () => {
    victim = await SmeshProcess.start({ name: 'victim', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
    const victimAddr = (await victim.id()).listenAddrs[0] as string

    // mallory and trudy are members (admitted through the real join protocol) that misbehave
    const members = { mallory: await joinInProcess(await victim.invite(), 'mallory'), trudy: await joinInProcess(await victim.invite(), 'trudy'), carol: await joinInProcess(await victim.invite(), 'carol') }
    const { seed, binding, mesh, networkKey } = members.mallory
    const signer = createSigner(seed)
    const otherSigner = createSigner(new Uint8Array(randomBytes(32)))
    const gossip = busGossipOptions(mesh)
    const topic = busTopic(mesh)
    const enter = async (name: 'mallory' | 'trudy' | 'carol'): Promise<MeshNode> => {
      const m = members[name]
      const node = await createMeshNode({
        privateKey: m.privateKey, mesh, name, software: 'smesh/0.1.0', binding: m.binding, networkKey,
        listen: ['/ip4/127.0.0.1/tcp/0'], peers: [victimAddr], mdns: false,
        topics: gossip.topics, msgIdFn: gossip.msgIdFn
      })
      hostile.push(node)
      await node.start()
      node.services.pubsub.subscribe(topic)
      const self = node.peerId.toString()
      await waitFor(() => node.services.pubsub.getSubscribers(topic).some(p => p.toString() !== self), { timeoutMs: 15_000, what: `the victim to show ${name} its bus subscription` })
      return node
    }
    const mallory = await enter('mallory')
    const pubsub = mallory.services.pubsub
    const malloryId = mallory.peerId.toString()

    const { sha256 } = await import('@noble/hashes/sha2.js')
    const author = sha256(signer.publicKey)
    const hlc = (): { ms: bigint, counter: number } => ({ ms: BigInt(Date.now()), counter: 0 })
    const first = await signEntry(signer, author, { kind: 'memory.put', body: new TextEncoder().encode('{"key":"m/1","value":"hello"}'), hlc: hlc(), seq: 1n, binding })
    await pubsub.publish(topic, first.bytes)
    await waitFor(async () => (await victim?.heads())?.some(h => h.peerId === malloryId), { timeoutMs: 10_000, what: 'the victim to accept a valid first entry' })

    const body = new TextEncoder().encode('{"key":"m/2","value":"evil"}')
    const good2 = await signEntry(signer, author, { kind: 'memory.put', body, hlc: hlc(), seq: 2n, prev: first.hash })
    const flipped = good2.bytes.slice()
    flipped[200] = (flipped[200] as number) ^ 0x04
    const otherKey = await signEntry(otherSigner, author, { kind: 'memory.put', body, hlc: hlc(), seq: 2n, prev: first.hash })
    const wrongPrev = await signEntry(signer, author, { kind: 'memory.put', body, hlc: hlc(), seq: 2n, prev: new Uint8Array(randomBytes(32)) })
    // entries signEntry would refuse to make: built field by field and signed all the same
    const raw = (patch: Partial<Entry>): Uint8Array => {
      const e = { ...good2.entry, ...patch, signature: new Uint8Array(0) } as Entry
      e.signature = signer.signSync(entrySignable(e), ENTRY_CONTEXT) as Uint8Array<ArrayBuffer>
      return Entry.encode(e)
    }
    const oversize = raw({ body: new TextEncoder().encode(`{"key":"m/2","value":"${'x'.repeat(70_000)}"}`) as Uint8Array<ArrayBuffer> })
    const version2 = raw({ version: 2 })
    assert.ok(oversize.byteLength > 64 * 1024)
    // three invalid entries put a sender below gossipsub's graylist threshold (-80), after
    // which its messages are dropped unread: a second hostile peer relays the other two
    const trudy = await enter('trudy')
    const trudyId = trudy.peerId.toString()
    const sends: Array<[MeshNode, Uint8Array]> = [[mallory, flipped], [mallory, otherKey.bytes], [mallory, wrongPrev.bytes], [trudy, oversize], [trudy, version2]]
    for (const [node, bytes] of sends) {
      await node.services.pubsub.publish(topic, bytes)
      await new Promise(resolve => setTimeout(resolve, 100))
    }

    // the victim logged its refusals, and its score of the sender went negative
    const log = join(victim.dataDir, 'logs', 'smesh.log')
    const rejects = await waitFor(async () => {
      const events = (await readFile(log, 'utf8')).split('\n').filter(l => l.includes('"bus:reject"')).map(l => JSON.parse(l))
      return events.length >= 5 && events
    }, { timeoutMs: 10_000, what: 'the victim to reject the five bad entries' })
    assert.deepEqual(rejects.map((e: any) => [e.peer === malloryId ? 'mallory' : e.peer === trudyId ? 'trudy' : e.peer, e.reason]),
      [['mallory', 'signature'], ['mallory', 'signature'], ['mallory', 'link'], ['trudy', 'oversize'], ['trudy', 'version']])
    // gossipsub caches a peer's score for one heartbeat (1 s)
    for (const [id, count] of [[malloryId, 3], [trudyId, 2]] as const) {
      const seen = await waitFor(async () => {
        const status = await victim?.api<{ peers: Array<{ peer: string, rejected: number, score: number | null }> }>('/v1/bus/status')
        const p = status?.peers.find(p => p.peer === id)
        return p != null && p.score != null && p.score < 0 && p
      }, { timeoutMs: 5_000, what: 'the sender\'s gossipsub score to go below 0' })
      assert.equal(seen.rejected, count)
      assert.ok((seen.score as number) <= -10 * count, `score ${String(seen.score)}: each rejected entry costs at least 10`)
    }

    // nothing of it was stored: the sender's chain still ends at its valid first entry
    const heads = await victim.heads()
    assert.equal(heads.find(h => h.peerId === malloryId)?.seq, '1')
    const stored = await victim.api<EntryView[]>(`/v1/bus/log?author=${first.authorHex}&limit=100`)
    assert.deepEqual(stored.map(e => e.hash), [first.hashHex])
    const memory = await victim.memory('m/')
    assert.deepEqual(memory.map(m => [m.key, m.value]), [['m/1', 'hello']])

    // an honest member's replays (its own entry again, another's entry relayed again) and an entry
    // beyond a gap (seq 3, validly signed, before seq 2): nothing stored, nothing held against it
    const carol = await enter('carol')
    const carolId = carol.peerId.toString()
    const cSigner = createSigner(members.carol.seed)
    const cAuthor = sha256(cSigner.publicKey)
    const c1 = await signEntry(cSigner, cAuthor, { kind: 'memory.put', body: new TextEncoder().encode('{"key":"c/1","value":"one"}'), hlc: hlc(), seq: 1n, binding: members.carol.binding })
    const c3 = await signEntry(cSigner, cAuthor, { kind: 'memory.put', body: new TextEncoder().encode('{"key":"c/3","value":"early"}'), hlc: hlc(), seq: 3n, prev: new Uint8Array(randomBytes(32)) })
    await carol.services.pubsub.publish(topic, c1.bytes)
    await waitFor(async () => (await victim?.heads())?.some(h => h.peerId === carolId), { timeoutMs: 10_000, what: 'the victim to accept carol\'s first entry' })
    for (const bytes of [c3.bytes, c1.bytes, first.bytes]) {
      // gossipsub's own seen-cache may refuse to publish a message twice: the replay then never leaves
      await carol.services.pubsub.publish(topic, bytes).catch(() => {})
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await new Promise(resolve => setTimeout(resolve, 1_500))
    assert.equal((await victim.heads()).find(h => h.peerId === carolId)?.seq, '1', 'the entry beyond the gap was not stored')
    assert.deepEqual((await victim.api<EntryView[]>(`/v1/bus/log?author=${c1.authorHex}&limit=100`)).map(e => e.hash), [c1.hashHex])
    const carolView = (await victim.api<{ peers: Array<{ peer: string, rejected: number, score: number | null }> }>('/v1/bus/status')).peers.find(p => p.peer === carolId)
    assert.equal(carolView?.rejected, 0, 'replays and early entries are not rejections')
    assert.ok((carolView?.score ?? 0) >= 0, `carol's score ${String(carolView?.score)} was not lowered`)
    const verify = await victim.cli(['bus', 'verify', '--all', '--json'])
    assert.equal(verify.code, 0, verify.stdout)
  })
})
