import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { linkMonitor } from '../src/link-monitor.js'
import type { LinkMonitor } from '../src/link-monitor.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'

const PING = '/ipfs/ping/1.0.0'
const DEAD_MS = 500
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * The link monitor against a peer whose ping answers the test controls: a
 * lossy link that misses some pings keeps its connection (libp2p's own
 * monitor cut it at the first miss), one that answers nothing for the dead
 * window loses it, and a stall of the pinging process itself cuts nothing.
 */
describe('link monitor', () => {
  let a: Libp2p<{ linkMonitor: LinkMonitor, ping: unknown }>
  let b: Libp2p
  /** How b answers the next ping: echo, or hold the stream and say nothing. */
  let answer: (n: number) => boolean = () => true
  let pings = 0
  /** When b last echoed a ping. */
  let lastAnswer = 0

  before(async () => {
    a = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
      // about the production ratios (timeout = 2 intervals, dead window = 2 timeouts), 50 x faster; the
      // ping service as in production, so the ping protocol's outbound limit is its 1
      services: { ping: ping(), linkMonitor: linkMonitor({ intervalMs: 100, timeoutMs: 200, deadAfterMs: DEAD_MS }) }
    })
    b = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false }
    })
    await b.handle(PING, async (stream: Stream) => {
      if (!answer(pings++)) return // held open, unanswered, until the pinging side gives up on it
      for await (const chunk of stream) {
        lastAnswer = performance.now()
        stream.send(chunk)
      }
      await stream.close()
    }, { maxInboundStreams: 16 })
  })

  after(async () => {
    await a?.stop()
    await b?.stop()
  })

  const connect = async (): Promise<Connection> => await a.dial(b.getMultiaddrs()[0]!)

  it('measures the RTT of a connection and keeps one that misses some pings', async () => {
    answer = n => n % 3 !== 1 // a third of the pings never answered, never two in a row
    pings = 0
    const conn = await connect()
    await sleep(3_000)
    assert.equal(conn.status, 'open', 'a link that answers most pings stays up')
    assert.ok(pings >= 12, `${pings} pings in 3 s`)
    assert.ok(typeof conn.rtt === 'number' && conn.rtt >= 0 && conn.rtt < 100, `rtt ${String(conn.rtt)} ms over loopback`)
    await conn.close()
  })

  it('aborts a connection that answers no ping for the dead window, and not before', async () => {
    answer = () => true
    const conn = await connect()
    await sleep(500)
    assert.ok(conn.rtt != null, 'answered at first')
    answer = () => false
    const closedAt = await new Promise<number>((resolve, reject) => {
      const giveUp = setTimeout(() => {
        clearInterval(check)
        reject(new Error('the silent connection is still open 5 s later'))
      }, 5_000)
      const check = setInterval(() => {
        if (conn.status !== 'open') {
          clearInterval(check)
          clearTimeout(giveUp)
          resolve(performance.now())
        }
      }, 5)
    })
    // a has no other monitor and b never closes: the link monitor closed it
    const ms = closedAt - lastAnswer
    assert.ok(ms >= DEAD_MS && ms <= DEAD_MS + 25 + 250, `closed ${Math.round(ms)} ms after the last answer; the dead window is ${DEAD_MS} ms`)
  })

  it('a pause of its own process (a blocked event loop) is no verdict on the links', async () => {
    answer = () => true
    const conn = await connect()
    await sleep(500)
    // longer than the dead window: every answer meanwhile waits unread in the socket
    const until = performance.now() + 3 * DEAD_MS
    while (performance.now() < until) { /* blocked */ }
    await sleep(1_000)
    assert.equal(conn.status, 'open', 'the link answered all along')
    await conn.close()
  })
})
