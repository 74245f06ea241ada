import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FLOOD_DROPS, GOSSIP_AUTHOR_BURST, GOSSIP_AUTHOR_RATE, GOSSIP_PUBLISH_BURST, GOSSIP_PUBLISH_RATE, GOSSIP_REPLAY_S, GOSSIP_UNCOUNTED_DROPS, GOSSIP_UNCOUNTED_MS } from '../src/constants.js'
import { FloodGuard } from '../src/replication/flood-guard.js'
import { RateLimiter } from '../src/replication/rate-limit.js'

describe('gossip rate limit', () => {
  it('lets a burst through, then the rate; authors have separate buckets; the oldest bucket goes when full', () => {
    let now = 0
    const limit = new RateLimiter(50, 100, 2, () => now)
    let passed = 0
    for (let i = 0; i < 1000; i++) if (limit.take('a')) passed++
    assert.equal(passed, 100, 'the burst')
    now += 1000
    passed = 0
    for (let i = 0; i < 1000; i++) if (limit.take('a')) passed++
    assert.equal(passed, 50, 'one second of the rate')
    assert.equal(limit.take('b'), true, 'another author is not held back')
    limit.take('c') // a third author: the least recently used bucket (a) is dropped
    assert.equal(limit.take('a'), true, 'a starts again with a full bucket')
  })
})

describe('gossip rate limit: a replay is not a flood', () => {
  // the guard a node runs (every setting from the bus's constants), on the test's clock
  const guard = (now: () => number): FloodGuard => new FloodGuard({ now })

  it('a peer handed the whole repair window at once (it connected during or right after a bulk write) never takes the writer for a flooder', () => {
    let now = 0
    const publisher = new RateLimiter(GOSSIP_PUBLISH_RATE, GOSSIP_PUBLISH_BURST, 4096, () => now)
    // a bulk write of one entry a millisecond (seq = ms + 1) for 10 s: what the publisher lets out, and when
    const published: number[] = []
    for (let ms = 0; ms < 10_000; ms++) {
      now = ms
      if (publisher.take('self')) published.push(ms)
    }
    assert.ok(published.length <= GOSSIP_PUBLISH_BURST + GOSSIP_PUBLISH_RATE * 10 + 1, `${published.length} of 10,000 published: the rest of the bulk write waits for a sync`)
    let most = 0
    for (let joinAt = 0; joinAt <= 12_000; joinAt += 250) {
      // the repair comes 10 ms to a second after the connection; the sync names the writer's head
      // before it, or after it (heads at 50 ms, repair at 10 ms)
      for (const [repairAfter, headsAfter] of [[10, 5], [300, 20], [1000, 20], [10, 50], [300, 900]] as const) {
        const head = BigInt(Math.min(joinAt + headsAfter, 9_999) + 1)
        // live entries arrive as they are published; gossipsub's repair hands the peer the last
        // GOSSIP_REPLAY_S of what was published before it knew the peer, at once
        const events = [
          ...published.filter(at => at > joinAt).map(at => ({ t: at, seq: at + 1 })),
          ...published.filter(at => at > joinAt - GOSSIP_REPLAY_S * 1000 && at <= joinAt).map(at => ({ t: joinAt + repairAfter, seq: at + 1 }))
        ].sort((x, y) => x.t - y.t)
        let t = joinAt
        const peer = new RateLimiter(GOSSIP_AUTHOR_RATE, GOSSIP_AUTHOR_BURST, 4096, () => t)
        const floods = guard(() => t)
        floods.connected('writer')
        let known = false
        const held: string[] = []
        let repaired = 0
        for (const e of events) {
          t = e.t
          if (!known && t >= joinAt + headsAfter) { floods.heads('writer', [['writer', head]]); known = true }
          if (floods.repaired('writer', 'writer', BigInt(e.seq))) repaired++
          else if (!peer.take('writer')) held.push(floods.drop('writer'))
        }
        assert.deepEqual(held.filter(v => v !== 'uncounted'), [], `a peer that connected at ${joinAt} ms (repair after ${repairAfter} ms, heads after ${headsAfter}) held the writer's gossip against it`)
        most = Math.max(most, repaired + held.length)
      }
    }
    assert.ok(most > GOSSIP_AUTHOR_BURST + FLOOD_DROPS, `the repair goes over the rate limit (${most} entries at most): held to it, they would make a flood`)
  })

  it('a flood of new entries is named after FLOOD_DROPS drops once the peer\'s heads are known; old entries are ignored, never passed', () => {
    let t = 0
    const floods = guard(() => t)
    floods.connected('fresh')
    // before its heads are known, a fresh connection's drops are not counted, up to the allowance
    const early = Array.from({ length: GOSSIP_UNCOUNTED_DROPS + FLOOD_DROPS }, () => floods.drop('fresh'))
    assert.equal(early.filter(v => v === 'uncounted').length, GOSSIP_UNCOUNTED_DROPS)
    assert.equal(early.at(-1), 'flood')
    // nor after the grace: a peer whose sync named no heads within it is held to the rule
    floods.connected('silent')
    t += GOSSIP_UNCOUNTED_MS + 1
    assert.equal(Array.from({ length: FLOOD_DROPS }, () => floods.drop('silent')).at(-1), 'flood')
    floods.connected('known')
    floods.heads('known', [['known', 100n]])
    assert.equal(floods.repaired('known', 'known', 100n), true, 'what it held when the two synced')
    assert.equal(floods.repaired('known', 'known', 101n), false, 'a new entry')
    assert.equal(floods.repaired('known', 'other', 1n), false, 'another author')
    const verdicts = Array.from({ length: FLOOD_DROPS + 2 }, () => floods.drop('known'))
    assert.equal(verdicts.indexOf('flood'), FLOOD_DROPS - 1, 'new entries over the rate, right after connecting')
    // the window ends: nothing is taken for the repair any more, and the record goes
    t += (GOSSIP_REPLAY_S + 1) * 1000 + 1
    assert.equal(floods.repaired('known', 'known', 3n), false)
    floods.heads('known', [['known', 100n]])
    assert.equal(floods.repaired('known', 'known', 3n), false, 'heads named after the window are not kept')
    // a peer that reconnects gets a window again; a far head is kept for few authors
    floods.connected('liar')
    floods.heads('liar', Array.from({ length: 1000 }, (_, i) => [`a${i}`, 1_000_000n] as [string, bigint]))
    assert.equal(floods.repaired('liar', 'a15', 5n), true)
    assert.equal(floods.repaired('liar', 'a16', 5n), false, 'at most 16 authors a peer')
  })
})
