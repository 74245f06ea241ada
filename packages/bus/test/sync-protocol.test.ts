import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import { pbStream, streamPair } from '@libp2p/utils'
import { SyncHeads, SyncHello, SyncWant, SyncBatch } from '@smesh/protocols'
import { runSyncClient, runSyncServer } from '../src/replication/sync.js'
import { Scope, json, makeAuthor, signChain, signNext } from './fixtures.js'
import type { Bus } from '../src/bus.js'
import type { Stream } from '@libp2p/interface'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** One sync session between two buses over an in-memory stream pair. */
async function session (client: Bus, server: Bus, headsPerPage?: number): Promise<Awaited<ReturnType<typeof runSyncClient>>> {
  const [outbound, inbound] = await streamPair()
  const signal = AbortSignal.timeout(60_000)
  const [result] = await Promise.all([
    runSyncClient(client, outbound, 'test', { signal }),
    runSyncServer(server, inbound, 'test', { signal, headsPerPage })
  ])
  return result
}

describe('the sync protocol', () => {
  it('a batch the server cuts at 4 MiB is asked again from where it ended: 300 entries of 50 KB arrive in one session', async () => {
    const [a, b] = await Promise.all([makeAuthor(), makeAuthor()])
    const server = await scope.bus(a)
    const pad = 'x'.repeat(50_000) // 128 of these are 6.8 MB: the server cuts every batch
    await Promise.all(Array.from({ length: 300 }, async (_, i) => await server.append('test.big', json({ i, pad }))))
    const client = await scope.bus(b)
    const r = await session(client, server)
    assert.equal(r.received, 300)
    assert.equal(client.head(a.authorHex)?.seq, 300n)
    assert.equal(client.head(a.authorHex)?.hashHex, server.head(a.authorHex)?.hashHex)
  })

  it('heads come in pages (4,096 a page; 10 here): a client is caught up on the authors of every page', async () => {
    const me = await makeAuthor()
    const server = await scope.bus(me)
    const authors = 25
    for (let i = 0; i < authors; i++) {
      const e = await signNext(await makeAuthor(), undefined, { kind: 'test.note', body: json({ i }) })
      assert.equal((await server.ingest(e.bytes)).result, 'accept')
    }
    const client = await scope.bus(await makeAuthor())
    const r = await session(client, server, 10)
    assert.equal(r.received, authors)
    assert.equal(client.heads().length, authors)
  })

  it('a server that answers with other entries than asked cannot keep the client in the session', async () => {
    const [a, b] = await Promise.all([makeAuthor(), makeAuthor()])
    const chain = await signChain(a, 3)
    const client = await scope.bus(b)
    for (const e of chain) await client.ingest(e.bytes)
    const [outbound, inbound] = await streamPair()
    // the hostile server claims a head far ahead and answers every request with entry 1
    const serve = async (stream: Stream): Promise<number> => {
      const pb = pbStream(stream)
      await pb.read(SyncHello)
      await pb.write({ heads: [{ author: a.author as Uint8Array<ArrayBuffer>, seq: 2n ** 64n - 1n, hash: new Uint8Array(randomBytes(32)) }], more: false }, SyncHeads)
      let answered = 0
      while (true) {
        const want = await pb.read(SyncWant).catch(() => undefined)
        if (want == null || want.limit === 0) return answered
        answered++
        await pb.write({ entries: [chain[0]?.bytes as Uint8Array<ArrayBuffer>] }, SyncBatch)
      }
    }
    const served = serve(inbound)
    await assert.rejects(runSyncClient(client, outbound, 'test', { signal: AbortSignal.timeout(10_000) }), { name: 'InvalidEntryError', reason: 'seq' })
    outbound.abort(new Error('done'))
    assert.ok(await served.catch(() => 0) <= 4, 'the client stopped after the first wrong answer')
    assert.equal(client.head(a.authorHex)?.seq, 3n)
  })
})
