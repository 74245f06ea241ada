import { shortId, table } from './format.js'
import type { BusStatusView } from '../api/bus-routes.js'
import type { AuthorView, BundleReport, ChainReport, EntryView, MemoryItem, SessionSummary, SessionView, VerifyReport } from '@smesh/bus'

const short = (hex: string): string => hex.slice(0, 12)

function size (bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1048576).toFixed(1)} MiB`
  return `${(bytes / 1073741824).toFixed(2)} GiB`
}
const who = (peerId: string): string => peerId === 'self' ? 'self' : peerId === '' ? '?' : shortId(peerId)

/** Text from peers, safe for a terminal: control characters (escape sequences) removed, newlines and tabs kept. */
export function clean (text: string): string {
  return text.replace(/[^\P{Cc}\n\t]/gu, '')
}

/** A body on one line, cut to `max` characters. */
function oneLine (v: unknown, max = 60): string {
  const text = (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/[\p{Cc}]/gu, ' ')
  return text.length > max ? text.slice(0, max - 1) + '…' : text
}

export function formatLog (entries: EntryView[]): string {
  if (entries.length === 0) return 'no entries'
  return table([
    ['TIME', 'AUTHOR', 'SEQ', 'KIND', 'HASH', 'BODY'],
    ...entries.map(e => [e.time.replace('T', ' ').replace(/\.\d+Z$/, ''), who(e.peerId), e.seq, e.kind, short(e.hash), e.bodyEncoding === 'json' ? oneLine(e.body) : `(${e.size} bytes, binary)`])
  ])
}

export function formatLogLine (e: EntryView): string {
  return `${e.time}  ${who(e.peerId)}  #${e.seq}  ${e.kind}  ${short(e.hash)}  ${e.bodyEncoding === 'json' ? oneLine(e.body, 100) : '(binary)'}`
}

export function formatHeads (heads: AuthorView[]): string {
  if (heads.length === 0) return 'the bus is empty'
  return table([
    ['AUTHOR', 'PEER', 'SEQ', 'HEAD', 'STATE'],
    ...heads.map(h => [short(h.author), who(h.peerId), h.seq, short(h.head), h.forked ? `FORKED at seq ${h.forkedAt ?? '?'}` : 'ok'])
  ])
}

export function formatBusStatus (s: BusStatusView): string {
  const rows = [
    ['author', `${short(s.author)} (SHA-256 of this node's ML-DSA-65 key)`],
    ['chain', s.chainConfirmed ? `${s.ownEntries} own entries` : 'waiting for a peer to confirm this node\'s own chain (store was lost)'],
    ['bus', `${s.entries} entries from ${s.authors} authors, ${size(s.diskBytes)} on disk`],
    ['forks', s.forks === 0 ? 'none' : `${s.forks} (see smesh bus verify)`],
    ...storeLine(s.store),
    ...(s.store?.damage != null ? [['damage', s.store.damage.message]] : []),
    ...(s.held.entries > 0 ? [['held', `${s.held.entries} entries (${size(s.held.bytes)}) beyond gaps, waiting for the entries before them`]] : [])
  ]
  const peers = s.peers.map(p => [
    shortId(p.peer),
    p.syncing ? 'syncing' : p.lastSyncAt != null ? `synced ${Math.round((Date.now() - p.lastSyncAt) / 1000)}s ago` : 'not yet synced',
    `${p.received} received`,
    `${p.rejected} rejected`,
    p.score != null ? `score ${p.score.toFixed(2)}` : '',
    p.lastError != null ? `last error: ${p.lastError}` : ''
  ])
  return table(rows) + (peers.length > 0 ? '\n\n' + table([['PEER', 'SYNC', 'RECEIVED', 'REJECTED', 'SCORE', ''], ...peers]) : '')
}

export function formatMemoryList (items: MemoryItem[]): string {
  if (items.length === 0) return 'no memory entries'
  return table([['KEY', 'VALUE', 'BY', 'TIME'], ...items.map(i => [i.key, oneLine(i.value), who(i.peerId), i.time])])
}

/** A value as it was set; on a terminal without control characters (a peer could have written escape sequences). */
export function formatMemoryValue (item: MemoryItem, tty = process.stdout.isTTY === true): string {
  const text = typeof item.value === 'string' ? item.value : JSON.stringify(item.value, null, 2)
  return tty ? clean(text) : text
}

export function formatSessions (list: SessionSummary[]): string {
  if (list.length === 0) return 'no sessions'
  return table([['ID', 'TITLE', 'OPENED BY', 'OPENED'], ...list.map(s => [short(s.id), oneLine(s.title, 50), who(s.openedBy), s.openedAt])])
}

export function formatSession (s: SessionView): string {
  const head = `session ${s.id}${s.title !== '' ? ` "${oneLine(s.title, 200)}"` : ''}, opened ${s.openedAt} by ${who(s.openedBy)}, ${s.messages.length} messages`
  const msgs = s.messages.map(m => `[${m.time}] ${clean(m.role)}${m.model != null ? ` (${oneLine(m.model, 200)})` : ''} via ${who(m.author)}:\n${clean(String(m.content))}`)
  const state = Object.keys(s.state).length > 0 ? [`state: ${JSON.stringify(s.state)}`] : []
  return [head, '', ...msgs.flatMap(m => [m, '']), ...state].join('\n').trimEnd()
}

function chainLine (c: ChainReport): string[] {
  const state = c.firstFailure != null
    ? `FAILED at seq ${c.firstFailure.seq}: ${c.firstFailure.message}`
    : c.forks.length > 0 ? `FORKED: ${c.forks.map(f => `seq ${f.seq}`).join(', ')}` : 'ok'
  return [short(c.author), who(c.peerId), String(c.entries), String(c.signaturesChecked), String(c.verified), state]
}

export function formatVerify (r: VerifyReport): string {
  const mode = r.all ? 'every signature checked' : 'hash links checked, signatures of each chain\'s first and last entry (--all checks every one)'
  const rows = table([['AUTHOR', 'PEER', 'ENTRIES', 'SIGNATURES', 'VERIFIED', 'RESULT'], ...r.authors.map(chainLine)])
  const forked = r.authors.filter(a => a.forks.length > 0).length
  const verdict = !r.ok ? 'bus verification found problems' : forked > 0 ? `bus verified, but ${forked} author(s) signed two entries with one seq (fork)` : 'bus verified'
  return `${verdict}: ${r.entries} entries, ${r.authors.length} authors (${mode})\n\n${rows}`
}

export function formatBundleReport (r: BundleReport, anchorSource = ''): string {
  const verdict = !r.ok ? 'BUNDLE INVALID' : !r.anchored ? 'bundle consistent, NOT ANCHORED' : r.forks.length === 0 ? 'bundle verified' : 'bundle verified, but it proves forks'
  const lines = [
    `${verdict}: ${r.entries} entries from ${r.authors.length} authors${r.all ? ', every signature checked' : ' (--fast: links and each chain\'s first and last signature)'}`,
    ...(r.exporter.peerId !== '' ? [`exported by ${r.exporter.label ?? r.exporter.peerId} from mesh "${oneLine(r.mesh, 64)}" at ${r.createdAt}`] : []),
    ...(anchorSource !== '' ? [`trust anchor: ${anchorSource}${r.anchor != null ? ` (mesh ${r.anchor.mesh}, root ${r.anchor.root.slice(0, 16)})` : ''}`] : [])
  ]
  if (r.proven.length > 0) lines.push('proven:', ...r.proven.map(p => `  - ${p}`))
  if (r.unproven.length > 0) lines.push('not proven (cannot be, offline):', ...r.unproven.map(p => `  - ${p}`))
  if (r.firstFailure != null) {
    const f = r.firstFailure
    lines.push(`first bad record: #${f.index ?? '?'}${f.author != null ? `, author ${short(f.author)}` : ''}${f.seq !== '' ? `, seq ${f.seq}` : ''}: ${f.message}`)
  }
  for (const f of r.forks) lines.push(`fork: author ${short(f.author)} signed two entries with seq ${f.seq} (${f.hashes.map(short).join(', ')})`)
  if (r.authors.length > 0) lines.push('', table([['AUTHOR', 'PEER', 'ENTRIES', 'SIGNATURES', 'VERIFIED', 'RESULT'], ...r.authors.map(chainLine)]))
  return lines.join('\n')
}

/** The read-back of the whole store: running (how far), done (intact), damaged (what). */
function storeLine (store: BusStatusView['store'] | undefined): Array<[string, string]> {
  if (store?.damaged != null) return [['store', `DAMAGED: ${store.damaged} (stop the node and run \`smesh bus repair\`)`]]
  if (store?.checked != null) return [['store', `read back: ${store.checked.entries} entries intact (${(store.checked.ms / 1000).toFixed(1)} s, in the background)`]]
  const rb = store?.readBack
  if (rb?.state === 'running') return [['store', `reading back in the background: ${rb.entries} of ${rb.total} entries checked`]]
  return rb != null ? [['store', `read-back ${rb.state}${rb.problem != null ? `: ${rb.problem}` : ''}`]] : []
}
