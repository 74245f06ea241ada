import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { DEFAULT_MAX_DRIFT_MS, HybridClock, compareTimestamps, timestampKey } from '../src/hlc.js'
import type { Timestamp } from '../src/hlc.js'

const MAX_COUNTER = 2 ** 32 - 1
/** A wall clock that returns the given readings in turn (the last one after that). */
function script (readings: number[]): () => number {
  let i = 0
  return () => readings[Math.min(i++, readings.length - 1)] as number
}

const wallArb = fc.integer({ min: 1, max: 4_000_000_000_000 })
const tsArb = fc.record({ ms: fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }), counter: fc.integer({ min: 0, max: MAX_COUNTER }) })

describe('hybrid logical clock', () => {
  it('tick is strictly increasing whatever the wall clock does (backwards, stuck, jumps)', () => {
    fc.assert(fc.property(fc.array(wallArb, { minLength: 1, maxLength: 200 }), readings => {
      const clock = new HybridClock(script(readings))
      let last: Timestamp | undefined
      for (let i = 0; i < readings.length; i++) {
        const t = clock.tick()
        if (last != null) assert.ok(compareTimestamps(t, last) > 0, `${t.ms}/${t.counter} after ${last.ms}/${last.counter}`)
        assert.ok(t.ms >= BigInt(readings[i] as number), 'never behind the wall clock')
        last = t
      }
    }), { numRuns: 200 })
  })

  it('follows the wall clock when it moves forward, and counts within one millisecond', () => {
    const clock = new HybridClock(script([100, 100, 100, 90, 200]))
    assert.deepEqual([clock.tick(), clock.tick(), clock.tick(), clock.tick(), clock.tick()],
      [{ ms: 100n, counter: 0 }, { ms: 100n, counter: 1 }, { ms: 100n, counter: 2 }, { ms: 100n, counter: 3 }, { ms: 200n, counter: 0 }])
  })

  it('observe moves the clock past a received timestamp within the drift limit, never by more', () => {
    // (counters below the maximum: at the maximum the next tick moves on by one millisecond, see below)
    const observedArb = fc.record({ ms: fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }), counter: fc.integer({ min: 0, max: MAX_COUNTER - 1 }) })
    fc.assert(fc.property(wallArb, observedArb, fc.integer({ min: 0, max: 120_000 }), (now, ts, maxDrift) => {
      const clock = new HybridClock(() => now, maxDrift)
      const before = clock.tick()
      const absorbed = clock.observe(ts)
      assert.equal(absorbed, ts.ms <= BigInt(now + maxDrift))
      const t = clock.tick()
      assert.ok(compareTimestamps(t, before) > 0)
      if (absorbed) assert.ok(compareTimestamps(t, ts) > 0, 'a tick after observing sorts after what was observed')
      assert.ok(t.ms <= BigInt(now + maxDrift), 'the clock never runs ahead of the wall clock by more than maxDrift')
    }), { numRuns: 300 })
  })

  it('a timestamp far in the future is not absorbed (default drift: 60 s)', () => {
    const clock = new HybridClock(() => 1_000_000)
    assert.equal(clock.observe({ ms: BigInt(1_000_000 + DEFAULT_MAX_DRIFT_MS + 1), counter: 0 }), false)
    assert.deepEqual(clock.tick(), { ms: 1_000_000n, counter: 0 })
    assert.equal(clock.observe({ ms: BigInt(1_000_000 + DEFAULT_MAX_DRIFT_MS), counter: 4 }), true)
    assert.deepEqual(clock.tick(), { ms: BigInt(1_000_000 + DEFAULT_MAX_DRIFT_MS), counter: 5 })
  })

  it('this node\'s own timestamps are absorbed however far ahead they are (its clock never goes back)', () => {
    const clock = new HybridClock(() => 1_000)
    assert.equal(clock.observe({ ms: 10_000_000n, counter: 2 }, true), true)
    assert.deepEqual(clock.tick(), { ms: 10_000_000n, counter: 3 })
  })

  it('an older timestamp does not move the clock back', () => {
    const clock = new HybridClock(() => 5_000)
    clock.tick()
    assert.equal(clock.observe({ ms: 10n, counter: 99 }), true)
    assert.deepEqual(clock.tick(), { ms: 5_000n, counter: 1 })
  })

  it('the counter stays within uint32 (the wire type): at its maximum the clock moves to the next millisecond', () => {
    const clock = new HybridClock(() => 1_000)
    clock.observe({ ms: 1_000n, counter: MAX_COUNTER })
    const t = clock.tick()
    assert.ok(t.counter <= MAX_COUNTER, `counter ${t.counter} does not fit the entry's uint32 hlc_counter`)
    assert.ok(compareTimestamps(t, { ms: 1_000n, counter: MAX_COUNTER }) > 0)
  })

  it('timestampKey sorts like compareTimestamps (ms below 2^48, any uint32 counter)', () => {
    fc.assert(fc.property(tsArb, tsArb, (a, b) => {
      const byKey = timestampKey(a) < timestampKey(b) ? -1 : timestampKey(a) > timestampKey(b) ? 1 : 0
      assert.equal(byKey, Math.sign(compareTimestamps(a, b)))
      assert.equal(timestampKey(a).length, 20)
    }), { numRuns: 1000 })
    // neighbours in both fields
    const edge: Timestamp[] = [{ ms: 0n, counter: 0 }, { ms: 0n, counter: MAX_COUNTER }, { ms: 1n, counter: 0 }, { ms: 2n ** 48n - 1n, counter: MAX_COUNTER }]
    for (let i = 1; i < edge.length; i++) assert.ok(timestampKey(edge[i - 1] as Timestamp) < timestampKey(edge[i] as Timestamp))
  })
})
