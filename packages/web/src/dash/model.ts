// The dashboard's view logic, apart from the DOM: what the graph draws, how
// the chat stream becomes turns, how the live log is filtered. Pure: tested
// in packages/web/test/dash-model.test.ts.
import type { MemberRow, ModelsView } from '@smesh/node'
import type { PeerView, Topology } from '@smesh/mesh'
import type { TaskView } from '@smesh/tasks'
import type { EntryView } from '@smesh/bus'

export interface GraphNode {
  id: string
  name: string
  self: boolean
  /** Heard by this node itself (false: only from others' reports). */
  heard: boolean
  /** Tiers of the models it offers, sorted (local, mesh, cloud...). */
  tiers: string[]
  warm: string[]
  kind: string
}

export interface GraphLink {
  source: string
  target: string
  rttMs: number | null
  stale: boolean
}

export interface Graph {
  nodes: GraphNode[]
  links: GraphLink[]
}

/** The graph of `smesh topology`, each device with its tier badges and warm models; revoked members are left out. */
export function graphOf (topology: Pick<Topology, 'nodes' | 'links'> | undefined, models?: Pick<ModelsView, 'models'>, members?: Array<Pick<MemberRow, 'peerId' | 'status' | 'kind'>>): Graph {
  if (topology == null) return { nodes: [], links: [] }
  const gone = new Set((members ?? []).filter(m => m.status === 'revoked' || m.status === 'expired').map(m => m.peerId))
  const kinds = new Map((members ?? []).map(m => [m.peerId, m.kind]))
  const byPeer = new Map<string, { tiers: Set<string>, warm: Set<string> }>()
  for (const m of models?.models ?? []) {
    const e = byPeer.get(m.peer) ?? { tiers: new Set(), warm: new Set() }
    e.tiers.add(m.tier)
    if (m.warm) e.warm.add(m.model)
    byPeer.set(m.peer, e)
  }
  const nodes = topology.nodes.filter(n => !gone.has(n.peerId)).map(n => ({
    id: n.peerId,
    name: n.name,
    self: n.self,
    heard: n.heard,
    tiers: [...(byPeer.get(n.peerId)?.tiers ?? [])].sort(),
    warm: [...(byPeer.get(n.peerId)?.warm ?? [])].sort(),
    kind: kinds.get(n.peerId) ?? 'node'
  }))
  const ids = new Set(nodes.map(n => n.id))
  const links = topology.links.filter(l => ids.has(l.a) && ids.has(l.b)).map(l => ({ source: l.a, target: l.b, rttMs: l.rttMs, stale: l.stale }))
  return { nodes, links }
}

/** "12 s", "3 min 5 s" until an ISO time; '' once past (or none). */
export function countdown (iso: string | null, now: number): string {
  if (iso == null) return ''
  const left = Math.ceil((Date.parse(iso) - now) / 1000)
  if (!Number.isFinite(left) || left <= 0) return ''
  if (left < 60) return `${left} s`
  const m = Math.floor(left / 60)
  if (m < 60) return `${m} min ${left % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** "850 ms", "2.4 s", "3 min" */
export function duration (ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '-'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`
  return `${(ms / 86_400_000).toFixed(1)} d`
}

export function ago (at: number | null | undefined, now: number): string {
  if (at == null) return 'never'
  return `${duration(Math.max(0, now - at))} ago`
}

export function bytes (n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/** Where a task went, in order: each attempt that handed off (and why), then the device that served it. */
export function attempts (t: Pick<TaskView, 'handoffs' | 'device' | 'status' | 'error'>): Array<{ device: string, outcome: string }> {
  const out = t.handoffs.map(h => ({ device: h.fromDevice !== '' ? h.fromDevice : h.from.slice(0, 12), outcome: `moved on: ${h.reason}${h.partialChars > 0 ? ` after ${h.partialChars} chars` : ''}` }))
  if (t.status === 'done') out.push({ device: t.device ?? '?', outcome: 'served' })
  else if (t.status === 'running') out.push({ device: t.device ?? '…', outcome: 'running' })
  else out.push({ device: t.device ?? '-', outcome: `${t.status}${t.error != null ? `: ${t.error.message}` : ''}` })
  return out
}

export interface LogFilter {
  kind: string
  author: string
}

/** The live log's entries that match: kind by prefix (`task.` matches every task record), author by id, prefix, or device name. */
export function filterEntries <E extends Pick<EntryView, 'kind' | 'author' | 'peerId'>> (entries: E[], f: LogFilter, names: Map<string, string> = new Map()): E[] {
  const kind = f.kind.trim()
  const author = f.author.trim().toLowerCase()
  return entries.filter(e => (kind === '' || e.kind === kind || (kind.endsWith('.') && e.kind.startsWith(kind))) &&
    (author === '' || e.author.startsWith(author) || e.peerId === f.author.trim() || (names.get(e.peerId) ?? '').toLowerCase() === author))
}

/** Appends newly arrived entries to the newest-first list, without duplicates, keeping at most `max`. */
export function mergeEntries <E extends { hash: string }> (list: E[], arrived: E[], max = 500): E[] {
  const seen = new Set(list.map(e => e.hash))
  const fresh = arrived.filter(e => !seen.has(e.hash)).reverse()
  return [...fresh, ...list].slice(0, max)
}

/** A PeerId's device name, from presence, the members and the topology (in that order of trust). */
export function namesOf (peers: Array<Pick<PeerView, 'peerId' | 'name'>> = [], members: Array<Pick<MemberRow, 'peerId' | 'name'>> = [], topology?: Pick<Topology, 'nodes'>): Map<string, string> {
  const out = new Map<string, string>()
  for (const n of topology?.nodes ?? []) out.set(n.peerId, n.name)
  for (const m of members) if (m.name !== '' && m.peerId !== '') out.set(m.peerId, m.name)
  for (const p of peers) out.set(p.peerId, p.name)
  return out
}

/** One question and its answer in the chat, with where the answer came from and where it moved. */
export interface Turn {
  prompt: string
  /** The answer in pieces: a handoff starts a new piece, served by another device. */
  parts: Array<{ device: string, model: string, text: string, handoff?: { from: string, reason: string } }>
  status: 'waiting' | 'streaming' | 'done' | 'failed'
  error?: string
  totalMs?: number
}

/** The events of POST /v1/run (NDJSON), as the chat reads them. */
export type RunEvent =
  | { type: 'assign', device: string, model: string, peer: string }
  | { type: 'text', text: string }
  | { type: 'handoff', handoff: { from: string, fromDevice: string, reason: string } }
  | { type: 'retry', device: string, code: string }
  | { type: 'done', result: { device?: string, model?: string, totalMs?: number } }
  | { type: 'error', error: { message: string, hint?: string } }
  | { type: 'warning', message: string }

/** The turn after one event of its stream. */
export function applyRunEvent (t: Turn, e: RunEvent): Turn {
  const parts = t.parts.slice()
  const last = parts[parts.length - 1]
  switch (e.type) {
    case 'assign':
      // a new attempt after a handoff already has its part (marked); the first attempt makes one
      if (last == null) parts.push({ device: e.device, model: e.model, text: '' })
      else if (last.text === '') parts[parts.length - 1] = { ...last, device: e.device, model: e.model }
      else if (last.device !== e.device || last.handoff == null) parts.push({ device: e.device, model: e.model, text: '' })
      return { ...t, parts, status: t.status === 'waiting' ? 'streaming' : t.status }
    case 'text':
      if (last == null) parts.push({ device: '?', model: '', text: e.text })
      else parts[parts.length - 1] = { ...last, text: last.text + e.text }
      return { ...t, parts, status: 'streaming' }
    case 'handoff':
      parts.push({ device: '…', model: '', text: '', handoff: { from: e.handoff.fromDevice !== '' ? e.handoff.fromDevice : e.handoff.from.slice(0, 12), reason: e.handoff.reason } })
      return { ...t, parts }
    case 'done': {
      if (last != null && e.result.device != null && (last.device === '…' || last.device === '?')) parts[parts.length - 1] = { ...last, device: e.result.device, model: e.result.model ?? last.model }
      return { ...t, parts, status: 'done', ...(e.result.totalMs != null ? { totalMs: e.result.totalMs } : {}) }
    }
    case 'error':
      return { ...t, parts, status: 'failed', error: e.error.hint != null ? `${e.error.message} (${e.error.hint})` : e.error.message }
    default:
      return t
  }
}

/** The whole answer of a turn, every piece joined. */
export const answerOf = (t: Turn): string => t.parts.map(p => p.text).join('')
