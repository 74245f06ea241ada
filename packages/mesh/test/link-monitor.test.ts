import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { linkMonitor } from '../src/link-monitor.js'
import type { LinkMonitor } from '../src/link-monitor.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'

const PING = '/ipfs/ping/1.0.0'
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * The link monitor against a peer whose ping answers the test controls: a
 * lossy link that misses some pings keeps its connection (libp2p's own
 * monitor cut it at the first miss), one that answers nothing for the dead
 * window loses it.
 */
describe('link monitor', () => {
  let a: Libp2p<{ linkMonitor: LinkMonitor }>
  let b: Libp2p
  /** How b answers the next ping: echo, or hold the stream and say nothing. */
  let answer: (n: number) => boolean = () => true
  let pings = 0

  before(async () => {
    a = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
      services: { linkMonitor: linkMonitor({ intervalMs: 200, timeoutMs: 300, deadAfterMs: 1_500 }) }
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
      for await (const chunk of stream) stream.send(chunk)
      await stream.close()
    }, { maxInboundStreams: 16 })
  })

  after(async () => {
    await a?.stop()
    await b?.stop()
  })

  const connect = async (): Promise<Connection> => await a.dial(b.getMultiaddrs()[0]!)

  it('measures the RTT of a connection and keeps one that misses some pings', async () => {
    answer = n => n % 3 !== 1 // a third of the pings never answered
    const conn = await connect()
    await sleep(3_000)
    assert.equal(conn.status, 'open', 'a link that answers most pings stays up')
    assert.ok(pings >= 6, `${pings} pings in 3 s`)
    assert.ok(typeof conn.rtt === 'number' && conn.rtt >= 0 && conn.rtt < 300, `rtt ${String(conn.rtt)}`)
    await conn.close()
  })

  it('aborts a connection that answers no ping for the dead window, and not before', async () => {
    answer = () => true
    const conn = await connect()
    await sleep(500)
    assert.ok(conn.rtt != null, 'answered at first')
    answer = () => false
    const silentAt = performance.now()
    const closedAt = await new Promise<number>(resolve => {
      const check = setInterval(() => {
        if (conn.status !== 'open') {
          clearInterval(check)
          resolve(performance.now())
        }
      }, 20)
    })
    const ms = closedAt - silentAt
    // the last answer came up to one interval before the silence began; the verdict waits for a failed ping
    assert.ok(ms >= 1_500 - 200 && ms <= 1_500 + 200 + 300 + 300, `closed ${Math.round(ms)} ms after the last answer`)
  })
})
