import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildTopology } from '../src/topology.js'

describe('topology', () => {
  it('merges both ends\' reports of a link, keeps the best fresh RTT, and marks old reports stale', () => {
    const t = buildTopology({
      self: { peerId: 'A', name: 'alpha', links: [{ peerId: 'B', rttMs: 0.4 }] },
      peers: [
        { peerId: 'B', name: 'beta', lastSeenMs: 1000, links: [{ peerId: 'A', rttMs: 0.5 }, { peerId: 'C', rttMs: 0.7 }] },
        { peerId: 'C', name: 'gamma', lastSeenMs: 15_000, links: [{ peerId: 'B', rttMs: 0.6 }, { peerId: 'D', rttMs: 2 }] }
      ],
      linkStaleMs: 11_000
    })
    assert.equal(t.self, 'A')
    assert.deepEqual(t.nodes.map(n => [n.peerId, n.self, n.heard]), [['A', true, true], ['B', false, true], ['C', false, true], ['D', false, false]])
    assert.deepEqual(t.links, [
      { a: 'A', b: 'B', rttMs: 0.4, stale: false, reportedBy: ['A', 'B'] },
      { a: 'B', b: 'C', rttMs: 0.7, stale: false, reportedBy: ['B', 'C'] },
      { a: 'C', b: 'D', rttMs: 2, stale: true, reportedBy: ['C'] }
    ])
  })

  it('is deterministic whatever the input order', () => {
    const peers = [
      { peerId: 'X', name: 'x', lastSeenMs: 1, links: [{ peerId: 'Y', rttMs: 1 }] },
      { peerId: 'Y', name: 'y', lastSeenMs: 1, links: [{ peerId: 'X', rttMs: 2 }] }
    ]
    const a = buildTopology({ self: { peerId: 'S', name: 's', links: [] }, peers, linkStaleMs: 11_000 })
    const b = buildTopology({ self: { peerId: 'S', name: 's', links: [] }, peers: [...peers].reverse(), linkStaleMs: 11_000 })
    assert.deepEqual(a, b)
  })
})
