import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatDot, formatPeers, formatTopology } from '../src/cli/format.js'
import type { PeerView, Topology } from '@smesh/mesh'

const topo: Topology = {
  self: 'A',
  nodes: [
    { peerId: 'A', name: 'alpha', self: true, heard: true, lastSeenMs: null },
    { peerId: 'B', name: 'beta', self: false, heard: true, lastSeenMs: 2_000 },
    { peerId: 'C', name: 'gam"ma', self: false, heard: true, lastSeenMs: 14_000 }
  ],
  links: [
    { a: 'A', b: 'B', rttMs: 0.42, stale: false, reportedBy: ['A', 'B'] },
    { a: 'B', b: 'C', rttMs: null, stale: true, reportedBy: ['C'] }
  ]
}

describe('CLI formatting', () => {
  it('the topology text is an adjacency view with RTTs and stale links marked', () => {
    const text = formatTopology(topo, 'home')
    assert.match(text, /^mesh "home": 3 nodes, 2 links \(1 stale\)/)
    assert.match(text, /alpha {2}A {2}\[this node\]\n {2}└─ beta +0\.42 ms/)
    assert.match(text, /beta {2}B {2}\[heard 2s ago\]\n {2}├─ alpha +0\.42 ms\n {2}└─ gam"ma +- {2}stale/)
  })

  it('DOT output is valid Graphviz with escaped labels and dashed stale links', () => {
    const dot = formatDot(topo, 'home')
    assert.match(dot, /^graph "smesh home" \{/)
    assert.match(dot, /"C" \[label="gam\\"ma\\nC"\]/)
    assert.match(dot, /"B" -- "C" \[label="\?", style=dashed, color=gray\]/)
    assert.match(dot, /\}$/)
  })

  it('peers read like `tailscale status`', () => {
    const peers: PeerView[] = [{ peerId: '12D3KooWAbCdEfGhIjKlMnOp', name: 'desk', software: 'smesh/0.1.0', pqFingerprint: '', addrs: ['/ip4/192.168.1.9/tcp/7370'], connected: true, remoteAddr: null, rttMs: 0.5, lastSeenMs: 3_400, lastSeenAt: 0, firstSeenAt: 0, uptimeMs: 1, clockOffsetMs: 288_400 }]
    const lines = formatPeers(peers).split('\n')
    assert.match(lines[0] ?? '', /^NAME +PEER +ADDRESS +CONNECTED +RTT +HEARD +CLOCK$/)
    assert.match(lines[1] ?? '', /^desk +12D3KooW…KlMnOp +192\.168\.1\.9:7370 +yes +0\.50 ms +3s ago +\+288 s$/)
    assert.equal(formatPeers([]), 'no peers heard yet')
  })
})
