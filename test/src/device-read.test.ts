import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pbStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createJoinPeer } from '@smesh/mesh'
import { MAX_READ_REQUEST_BYTES, READ_PROTOCOL, READ_VERSION, ReadRequest, decodeReadResponse } from '@smesh/protocols'
import { joinInProcess } from './harness/mesh.js'
import { SmeshProcess } from './harness/smesh-process.js'
import type { InProcessMember } from './harness/mesh.js'
import type { Libp2p } from '@libp2p/interface'
import type { ReadResponse } from '@smesh/protocols'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']

/**
 * /smesh/read/1.0.0 as a browser device uses it, from a member made in this
 * process (real join, real keys): the views it may read, and the refusals
 * for everything else, each with its code and a message.
 */
describe('the read protocol: a member reads views of the mesh from a full node', { timeout: 120_000 }, () => {
  let root: SmeshProcess
  let addr: string
  const peers: Libp2p[] = []
  let reader: Libp2p

  const connect = async (m: InProcessMember): Promise<Libp2p> => {
    const peer = await createJoinPeer({ privateKey: m.privateKey, networkKey: m.networkKey })
    await peer.start()
    peers.push(peer)
    return peer
  }
  const read = async (peer: Libp2p, req: Partial<ReadRequest>): Promise<ReadResponse> => {
    const stream = await peer.dialProtocol(multiaddr(addr), READ_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    const pb = pbStream(stream)
    await pb.write({ version: READ_VERSION, view: '', arg: '', ...req }, ReadRequest)
    const res = await pb.read({ decode: decodeReadResponse })
    await stream.close()
    return res
  }
  const json = (res: ReadResponse): any => {
    assert.equal(res.ok, true, `${res.error}: ${res.message}`)
    return JSON.parse(new TextDecoder().decode(res.json))
  }

  before(async () => {
    root = await SmeshProcess.start({ name: 'root', args: LOOPBACK })
    addr = `${(await root.id()).listenAddrs[0] as string}`
    reader = await connect(await joinInProcess(await root.invite({ scopes: 'read,write,task.submit' }), 'reader'))
    await root.memorySet('notes/a', 'first')
    await root.memorySet('other/b', 'second')
  })
  after(async () => {
    await Promise.all(peers.map(async p => { await p.stop() }))
    await root?.stop()
  })

  it('answers the device\'s own lease, the members, and memory under a prefix, as the control API does', async () => {
    const self = json(await read(reader, { view: 'device' }))
    assert.equal(self.name, 'reader')
    assert.equal(self.status, 'active')
    assert.deepEqual(self.scopes, ['read', 'write', 'task.submit'])
    const members = json(await read(reader, { view: 'members' })) as Array<{ name: string }>
    assert.deepEqual(members.map(m => m.name).sort(), ['reader', 'root'])
    const memory = json(await read(reader, { view: 'memory', arg: 'notes/' })) as Array<{ key: string, value: unknown }>
    assert.deepEqual(memory.map(m => [m.key, m.value]), [['notes/a', 'first']])
    assert.ok(Array.isArray(json(await read(reader, { view: 'peers' }))))
    assert.ok(Array.isArray(json(await read(reader, { view: 'sessions' }))))
  })

  it('refuses an unknown view, another version and a session that is not there, naming each', async () => {
    const unknown = await read(reader, { view: 'secrets' })
    assert.equal(unknown.error, 'unknown-view')
    assert.match(unknown.message, /the views are device, members, peers/)
    const version = await read(reader, { version: 2, view: 'members' })
    assert.equal(version.error, 'protocol')
    const session = await read(reader, { view: 'sessions', arg: 'f'.repeat(32) })
    assert.equal(session.ok, false)
    assert.equal(session.error, 'unknown-view')
  })

  it('resets a request over its size limit, and goes on answering', async () => {
    await assert.rejects(read(reader, { view: 'memory', arg: 'x'.repeat(MAX_READ_REQUEST_BYTES * 2) }))
    assert.equal(json(await read(reader, { view: 'device' })).name, 'reader')
  })
})
