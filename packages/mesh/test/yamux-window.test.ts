import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { installYamuxWindowHysteresis } from '../src/yamux-window.js'
import type { Libp2p, Stream } from '@libp2p/interface'

const PROTOCOL = '/smesh-test/sink/1'
const WINDOW = 256 * 1024
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
/** The sender's view of how much it may still send: the receiver's window as its updates told it */
const sendCapacity = (s: Stream): number => (s as unknown as { sendWindowCapacity: number }).sendWindowCapacity

/**
 * Two real libp2p nodes on loopback (TCP, Noise, Yamux with a 256 KiB window): the receiver sends its
 * window update once half the window is used, not after every data frame, and a transfer forty times
 * the window still completes (the sender never waits on an update that does not come).
 */
describe('yamux window updates at half the window', () => {
  let a: Libp2p
  let b: Libp2p
  const received = new Map<string, number>()

  before(async () => {
    installYamuxWindowHysteresis()
    const make = async (): Promise<Libp2p> => await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ streamOptions: { initialStreamWindowSize: WINDOW, maxStreamWindowSize: WINDOW } })]
    })
    a = await make()
    b = await make()
    await b.handle(PROTOCOL, async (stream) => {
      for await (const chunk of stream) received.set(stream.id, (received.get(stream.id) ?? 0) + chunk.byteLength)
    })
  })
  after(async () => { await a?.stop(); await b?.stop() })

  const receivedTotal = (): number => [...received.values()].reduce((x, y) => x + y, 0)
  const waitReceived = async (bytes: number): Promise<void> => {
    for (let i = 0; i < 200 && receivedTotal() < bytes; i++) await sleep(10)
    assert.equal(receivedTotal(), bytes, 'the receiver got every byte')
  }

  it('sends no update while less than half the window is used, then restores the whole window', async () => {
    received.clear()
    const stream = await a.dialProtocol(b.getMultiaddrs(), PROTOCOL)
    await sleep(50)
    const start = sendCapacity(stream)
    assert.equal(start, WINDOW)
    for (let i = 0; i < 400; i++) { stream.send(new Uint8Array(200)); await sleep(0) }
    await waitReceived(80_000)
    await sleep(50)
    // every data frame before used to bring an update back at once: the capacity was full again
    assert.equal(sendCapacity(stream), WINDOW - 80_000, 'no window update for 80 KB of a 256 KiB window')
    for (let i = 0; i < 300; i++) { stream.send(new Uint8Array(200)); await sleep(0) }
    await waitReceived(140_000)
    await sleep(50)
    assert.ok(sendCapacity(stream) > WINDOW / 2, `past half the window the update came (capacity ${sendCapacity(stream)})`)
    await stream.close()
  })

  it('a transfer of forty windows completes', async () => {
    received.clear()
    const stream = await a.dialProtocol(b.getMultiaddrs(), PROTOCOL)
    const chunk = new Uint8Array(64 * 1024)
    const total = 40 * WINDOW
    for (let sent = 0; sent < total; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
    }
    await stream.close()
    for (let i = 0; i < 500 && receivedTotal() < total; i++) await sleep(10)
    assert.equal(receivedTotal(), total)
  })
})
