import type { IdView, StatusView } from '../daemon.js'
import type { PeerView, Topology } from '@smesh/mesh'

/** `12D3KooWAbc…wxyz`: enough of a PeerId to tell peers apart. */
export function shortId (peerId: string): string {
  return peerId.length <= 16 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}

export function ms (value: number | null): string {
  if (value == null) return '-'
  if (value === 0) return '<1 ms' // under the clock's resolution (RTTs are fractional ms)
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`
}

export function ago (msSince: number): string {
  const s = Math.floor(msSince / 1000)
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  return `${Math.floor(s / 3600)}h ago`
}

export function duration (msTotal: number): string {
  const s = Math.floor(msTotal / 1000)
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']] as const
  const first = parts.findIndex(([v]) => v > 0)
  return first === -1 ? '0s' : parts.slice(first, first + 2).map(([v, u]) => `${v}${u}`).join(' ')
}

/** Left-aligned columns, two spaces apart. */
export function table (rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => [...(r[i] ?? '')].length))) ?? []
  return rows.map(r => r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

function hostPort (addr: string | undefined): string {
  if (addr == null) return '-'
  const m = /^\/ip([46])\/([^/]+)\/tcp\/(\d+)/.exec(addr)
  if (m == null) return addr
  return m[1] === '6' ? `[${m[2] ?? ''}]:${m[3] ?? ''}` : `${m[2] ?? ''}:${m[3] ?? ''}`
}

export function formatId (id: IdView): string {
  return table([
    ['name', id.name],
    ['peer id', id.peerId],
    ['mesh', id.mesh],
    ['ML-DSA-65', `${id.pqFingerprintShort}  (SHA-256 of the public key)`],
    ...id.listenAddrs.map((a, i) => [i === 0 ? 'listening' : '', a])
  ])
}

export function formatPeers (peers: PeerView[]): string {
  if (peers.length === 0) return 'no peers heard yet'
  return table([
    ['NAME', 'PEER', 'ADDRESS', 'CONNECTED', 'RTT', 'HEARD', 'CLOCK'],
    ...peers.map(p => [
      p.name === '' ? '?' : p.name,
      shortId(p.peerId),
      hostPort(p.addrs[0]),
      p.connected ? 'yes' : 'no',
      ms(p.rttMs),
      ago(p.lastSeenMs),
      p.clockOffsetMs == null || Math.abs(p.clockOffsetMs) < 1_000 ? 'ok' : `${p.clockOffsetMs > 0 ? '+' : '-'}${Math.round(Math.abs(p.clockOffsetMs) / 1000)} s`
    ])
  ])
}

export function formatStatus (s: StatusView): string {
  return table([
    ['node', `${s.name} (${shortId(s.peerId)}), smesh ${s.version}, pid ${s.pid}`],
    ['mesh', `${s.mesh}${s.mdns ? ', mDNS discovery on' : ', mDNS discovery off'}`],
    ['uptime', duration(s.uptimeMs)],
    ['membership', s.membership.status == null ? 'lease not learned yet (is a peer reachable?)' : s.membership.status === 'revoked' || s.membership.status === 'expired' ? `${s.membership.status.toUpperCase()}: every node refuses this device` : `${s.membership.status}${s.membership.scopes.length > 0 ? ` (${s.membership.scopes.join(', ')})` : ''}`],
    ['peers', `${s.peers.known} heard, ${s.peers.connected} connected`],
    ...(s.health?.clockSkew.length > 0 ? [['clocks', s.health.clockSkew.slice(0, 3).map(c => `${c.name} ${c.offsetMs > 0 ? '+' : '-'}${Math.round(Math.abs(c.offsetMs) / 1000)} s`).join(', ') + ' (set the time on those devices)']] : []),
    ...s.listenAddrs.map((a, i) => [i === 0 ? 'listening' : '', a]),
    ...s.staticPeers.map((a, i) => [i === 0 ? 'static peers' : '', a]),
    ['control API', s.api.socket != null ? `${s.api.url} and ${s.api.socket}` : s.api.url],
    ['gateway', s.gateway != null ? `${s.gateway} (OpenAI: ${s.gateway}/v1, Ollama: ${s.gateway}, Anthropic: ${s.gateway})` : 'off'],
    ['data dir', s.dataDir],
    ['memory', `${(s.memory.rssBytes / 1048576).toFixed(1)} MiB RSS`]
  ])
}

function label (t: Topology, peerId: string): string {
  const n = t.nodes.find(x => x.peerId === peerId)
  return n == null || n.name === '' ? shortId(peerId) : n.name
}

/** An adjacency view: each node, then its links with RTT; stale links marked. */
export function formatTopology (t: Topology, mesh: string): string {
  const stale = t.links.filter(l => l.stale).length
  const lines = [`mesh "${mesh}": ${t.nodes.length} node${t.nodes.length === 1 ? '' : 's'}, ${t.links.length} link${t.links.length === 1 ? '' : 's'}${stale > 0 ? ` (${stale} stale)` : ''}`]
  for (const n of t.nodes) {
    const status = n.self ? 'this node' : n.heard ? `heard ${ago(n.lastSeenMs ?? 0)}` : 'not heard here (reported by others)'
    lines.push('', `${n.name === '' ? '?' : n.name}  ${shortId(n.peerId)}  [${status}]`)
    const mine = t.links.filter(l => l.a === n.peerId || l.b === n.peerId)
    if (mine.length === 0) lines.push('  (no links)')
    mine.forEach((l, i) => {
      const other = l.a === n.peerId ? l.b : l.a
      const branch = i === mine.length - 1 ? '└─' : '├─'
      lines.push(`  ${branch} ${label(t, other).padEnd(16)} ${ms(l.rttMs).padStart(9)}${l.stale ? '  stale' : ''}`)
    })
  }
  return lines.join('\n')
}

function dotEscape (s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
}

function dotString (s: string): string {
  return `"${dotEscape(s)}"`
}

/** Graphviz: `smesh topology --dot | dot -Tsvg > mesh.svg`. */
export function formatDot (t: Topology, mesh: string): string {
  const lines = [`graph ${dotString(`smesh ${mesh}`)} {`, '  node [shape=box, fontname="monospace"];']
  for (const n of t.nodes) {
    // each part escaped on its own; `\n` between them is DOT's line break
    const attrs = [`label="${dotEscape(n.name === '' ? '?' : n.name)}\\n${dotEscape(shortId(n.peerId))}"`]
    if (n.self) attrs.push('style=bold')
    if (!n.heard) attrs.push('style=dashed')
    lines.push(`  ${dotString(n.peerId)} [${attrs.join(', ')}];`)
  }
  for (const l of t.links) {
    const attrs = [`label=${dotString(l.rttMs == null ? '?' : ms(l.rttMs))}`]
    if (l.stale) attrs.push('style=dashed', 'color=gray')
    lines.push(`  ${dotString(l.a)} -- ${dotString(l.b)} [${attrs.join(', ')}];`)
  }
  lines.push('}')
  return lines.join('\n')
}
