/**
 * A misbehaving member in its own process, for the flooding test: joins the
 * mesh with the token in SMESH_FLOOD_TOKEN (real join protocol), signs
 * SMESH_FLOOD_COUNT valid entries of its chain beforehand, connects to
 * SMESH_FLOOD_PEER, prints "ready" and waits for a line on stdin; then
 * publishes them on the bus topic at SMESH_FLOOD_RATE entries/s, prints
 * "sent N" and waits to be killed. Keys are SMESH_FLOOD_PREFIX (default
 * flood/) and a number: with secrets/ it is a modified node writing what
 * the mesh policy blocks straight onto gossip.
 */
import { createInterface } from 'node:readline'
import { busGossipOptions, createSigner, signEntry } from '@smesh/bus'
import { pqFingerprint } from '@smesh/identity'
import { createMeshNode } from '@smesh/mesh'
import { busTopic } from '@smesh/protocols'
import { joinInProcess } from './mesh.js'

const env = process.env
const member = await joinInProcess(env.SMESH_FLOOD_TOKEN as string, 'flooder')
const count = Number(env.SMESH_FLOOD_COUNT ?? '3000')
const rate = Number(env.SMESH_FLOOD_RATE ?? '2000')
const prefix = env.SMESH_FLOOD_PREFIX ?? 'flood/'
const signer = createSigner(member.seed)
const author = pqFingerprint(signer.publicKey)
const entries: Uint8Array[] = []
let prev: Uint8Array | undefined
for (let i = 1; i <= count; i++) {
  const e = await signEntry(signer, author, { kind: 'memory.put', body: new TextEncoder().encode(JSON.stringify({ key: `${prefix}${i}`, value: i })), hlc: { ms: BigInt(Date.now()), counter: i }, seq: BigInt(i), prev, binding: member.binding })
  entries.push(e.bytes)
  prev = e.hash
}
const gossip = busGossipOptions(member.mesh)
const topic = busTopic(member.mesh)
const node = await createMeshNode({
  privateKey: member.privateKey, mesh: member.mesh, name: 'flooder', software: 'smesh/0.1.0', binding: member.binding, networkKey: member.networkKey,
  listen: ['/ip4/127.0.0.1/tcp/0'], peers: [env.SMESH_FLOOD_PEER as string], mdns: false, topics: gossip.topics, msgIdFn: gossip.msgIdFn
})
await node.start()
node.services.pubsub.subscribe(topic)
const self = node.peerId.toString()
while (!node.services.pubsub.getSubscribers(topic).some(p => p.toString() !== self)) await new Promise(resolve => setTimeout(resolve, 50))
process.stdout.write(`ready ${self} ${Buffer.from(author).toString('hex')}\n`)
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
await lines.next()
const started = performance.now()
let sent = 0
for (const bytes of entries) {
  // paced: entry i goes out at i / rate seconds
  const due = started + sent * 1000 / rate
  const wait = due - performance.now()
  if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait))
  await node.services.pubsub.publish(topic, bytes).catch(() => {})
  sent++
}
process.stdout.write(`sent ${sent} in ${Math.round(performance.now() - started)} ms\n`)
await new Promise(() => {})
