import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
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
