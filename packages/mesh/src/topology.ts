import type { LinkReport } from './peer-table.js'

export interface TopologyNode {
  peerId: string
  name: string
  self: boolean
  /** Whether this node hears the peer itself (false: only known from others' reports). */
  heard: boolean
  /** Milliseconds since this node last heard the peer; null for itself and unheard nodes. */
  lastSeenMs: number | null
}

export interface TopologyLink {
  /** The two ends, the lower PeerId string first. */
  a: string
  b: string
  /** Best round-trip time among the fresh reports (ms); null when none measured. */
  rttMs: number | null
  /** No fresh report of this link: every node that reported it did so too long ago. */
  stale: boolean
  /** The nodes whose reports contain this link. */
  reportedBy: string[]
}

export interface Topology {
  self: string
  nodes: TopologyNode[]
  links: TopologyLink[]
}

export interface TopologyInput {
  self: { peerId: string, name: string, links: LinkReport[] }
  /** Every peer heard, with its links as of its last sign of life `lastSeenMs` ago. */
  peers: Array<{ peerId: string, name: string, lastSeenMs: number, links: LinkReport[] }>
  /** A peer's report older than this makes its links stale. */
  linkStaleMs: number
}

/**
 * Merges this node's own links and the links every peer reported in its last
 * presence into one undirected graph. Pure: same input, same output, sorted.
 */
export function buildTopology (input: TopologyInput): Topology {
  const nodes = new Map<string, TopologyNode>()
  nodes.set(input.self.peerId, { peerId: input.self.peerId, name: input.self.name, self: true, heard: true, lastSeenMs: null })
  for (const p of input.peers) {
    nodes.set(p.peerId, { peerId: p.peerId, name: p.name, self: false, heard: true, lastSeenMs: p.lastSeenMs })
  }

  const links = new Map<string, { a: string, b: string, fresh: number[], all: number[], fresh0: boolean, reportedBy: Set<string> }>()
  const report = (from: string, fresh: boolean, list: LinkReport[]): void => {
    for (const l of list) {
      if (l.peerId === from) continue
      if (!nodes.has(l.peerId)) {
        nodes.set(l.peerId, { peerId: l.peerId, name: '', self: false, heard: false, lastSeenMs: null })
      }
      const [a, b] = from < l.peerId ? [from, l.peerId] : [l.peerId, from]
      const key = `${a} ${b}`
      let link = links.get(key)
      if (link == null) {
        link = { a, b, fresh: [], all: [], fresh0: false, reportedBy: new Set() }
        links.set(key, link)
      }
      link.reportedBy.add(from)
      if (l.rttMs != null) {
        link.all.push(l.rttMs)
        if (fresh) link.fresh.push(l.rttMs)
      }
      link.fresh0 ||= fresh
    }
  }
  report(input.self.peerId, true, input.self.links)
  for (const p of input.peers) {
    report(p.peerId, p.lastSeenMs <= input.linkStaleMs, p.links)
  }

  return {
    self: input.self.peerId,
    nodes: [...nodes.values()].sort((x, y) => Number(y.self) - Number(x.self) || Number(y.heard) - Number(x.heard) || x.name.localeCompare(y.name) || x.peerId.localeCompare(y.peerId)),
    links: [...links.values()]
      .map(l => ({
        a: l.a,
        b: l.b,
        rttMs: l.fresh.length > 0 ? Math.min(...l.fresh) : (l.all.length > 0 ? Math.min(...l.all) : null),
        stale: !l.fresh0,
        reportedBy: [...l.reportedBy].sort()
      }))
      .sort((x, y) => x.a.localeCompare(y.a) || x.b.localeCompare(y.b))
  }
}
