import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FLOOD_DROPS, GOSSIP_AUTHOR_BURST, GOSSIP_AUTHOR_RATE, GOSSIP_PUBLISH_BURST, GOSSIP_PUBLISH_RATE, GOSSIP_REPLAY_ALLOWANCE, GOSSIP_REPLAY_S } from '../src/constants.js'
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
  const guard = (now: () => number): FloodGuard => new FloodGuard({ threshold: FLOOD_DROPS, windowMs: 1000, replayMs: (GOSSIP_REPLAY_S + 1) * 1000, replayAllowance: GOSSIP_REPLAY_ALLOWANCE, now })

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
    let replayDrops = 0
    for (let joinAt = 0; joinAt <= 12_000; joinAt += 250) {
      for (const repairAfter of [10, 300, 1000]) {
        // the peer connects at joinAt and its sync learns the writer's head; the live entries arrive as
        // they are published, and gossipsub's repair hands it the last GOSSIP_REPLAY_S of messages at once
        const events = [
          ...published.filter(at => at > joinAt).map(at => ({ t: at, seq: at + 1 })),
          ...published.filter(at => at > joinAt - GOSSIP_REPLAY_S * 1000 && at <= joinAt).map(at => ({ t: joinAt + repairAfter, seq: at + 1 }))
        ].sort((x, y) => x.t - y.t)
        let t = joinAt
        const peer = new RateLimiter(GOSSIP_AUTHOR_RATE, GOSSIP_AUTHOR_BURST, 4096, () => t)
        const floods = guard(() => t)
        floods.connected('writer')
        floods.heads('writer', [['writer', BigInt(Math.min(joinAt, 9_999) + 1)]])
        let dropped = 0
        let replayed = 0
        for (const e of events) {
          t = e.t
          if (floods.replay('writer', 'writer', BigInt(e.seq))) replayed++
          else if (!peer.take('writer')) dropped++
        }
        assert.equal(dropped, 0, `a peer that connected at ${joinAt} ms (repair ${repairAfter} ms later) dropped ${dropped} of the writer's entries`)
        replayDrops = Math.max(replayDrops, replayed)
      }
    }
    assert.ok(replayDrops > GOSSIP_AUTHOR_BURST + FLOOD_DROPS, `the repair goes over the rate limit (${replayDrops} entries at most): held to it, they would make a flood`)
  })

  it('a flood of new entries is held to the rate on a fresh connection too; old ones pass only up to the allowance', () => {
    let t = 0
    const floods = guard(() => t)
    /** How many of `peer`'s entries from seq `from` on, at 2,000 a second, pass as a replay. */
    const replayed = (peer: string, from: bigint): number => {
      let n = 0
      for (let i = 1; i <= 1000; i++) {
        t += 0.5
        if (floods.replay(peer, peer, from + BigInt(i))) n++
      }
      return n
    }
    floods.connected('fresh')
    floods.heads('fresh', [['fresh', 100n]])
    assert.equal(replayed('fresh', 100n), 0, 'new entries (past the head its sync named) right after connecting')
    floods.connected('liar')
    floods.heads('liar', [['liar', 1_000_000n]])
    assert.equal(replayed('liar', 0n), GOSSIP_REPLAY_ALLOWANCE, 'a peer that named a far head gets the allowance, no more')
    floods.connected('old')
    floods.heads('old', [['old', 5000n]])
    t += (GOSSIP_REPLAY_S + 1) * 1000 + 1
    assert.equal(replayed('old', 0n), 0, 'an established connection: no replay any more')
    // a peer that reconnects gets the allowance again, once per connection
    floods.disconnected('liar')
    floods.connected('liar')
    floods.heads('liar', [['liar', 10n]])
    assert.equal(floods.replay('liar', 'liar', 3n), true)
    // drops of a peer's own entries: the FLOOD_DROPS-th within a second is a flood
    const verdicts = Array.from({ length: FLOOD_DROPS + 2 }, () => floods.drop('fresh'))
    assert.equal(verdicts.indexOf(true), FLOOD_DROPS - 1)
    assert.equal(verdicts.filter(v => v).length, 1)
  })
})
