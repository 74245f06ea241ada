import { entryView } from './entry-view.js'
import { InvalidBodyError, NotFoundError } from './errors.js'
import { KINDS, checkMemoryKey, encodeJsonBody } from './kinds.js'
import type { Bus } from './bus.js'
import type { BusEntry } from './entry.js'
import type { EntryView } from './entry-view.js'
import type { SessionRole } from './kinds.js'
import { checkRecords } from './views.js'
import type { MemoryRecord } from './views.js'

export interface LogQuery {
  author?: string
  kind?: string
  limit?: number
  /** Only entries with an HLC key before this (for paging). */
  before?: string
}

function view (bus: Bus, e: BusEntry): EntryView {
  return entryView(e, bus.peerLabel(e.authorHex))
}

/** Entries newest first, filtered by author (hex, or a prefix of at least 8 digits) and kind. */
export async function queryLog (bus: Bus, q: LogQuery): Promise<EntryView[]> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 10_000)
  const hashes = q.kind != null
    ? bus.store.kindIndex(q.kind, { reverse: true, before: q.before })
    : bus.store.timeIndex({ reverse: true, lt: q.before })
  const out: EntryView[] = []
  for await (const hash of hashes) {
    const e = await bus.store.entry(hash)
    if (e == null) continue
    if (q.author != null && !e.authorHex.startsWith(q.author)) continue
    out.push(view(bus, e))
    if (out.length >= limit) break
  }
  return out
}


export interface MemoryItem {
  key: string
  value: unknown
  author: string
  peerId: string
  hash: string
  time: string
}

function memoryItem (bus: Bus, key: string, r: MemoryRecord): MemoryItem {
  return { key, value: r.value, author: r.author, peerId: bus.peerLabel(r.author), hash: r.hash, time: new Date(Number(r.ms)).toISOString() }
}


/**
 * Memory view records with the entries they cite, each checked against its entry (memoryRecordMatches):
 * a view record damaged on disk is never answered. The views are derived, so a record that does not
 * match is repaired by deriving them again, and the read is asked once more.
 */
async function checkedRecords (bus: Bus, read: () => Promise<Array<[string, Uint8Array | undefined]>>): Promise<Array<[string, MemoryRecord | undefined]>> {
  for (let attempt = 0; ; attempt++) {
    // the views are rebuilt in place: a read during a repair waits for it
    await bus.viewsSettled()
    const rows = await read()
    const { records, match } = await checkRecords(bus.store.storage, rows.filter((r): r is [string, Uint8Array] => r[1] !== undefined))
    let i = 0
    if (match) return rows.map(([key, v]) => [key, v === undefined ? undefined : records[i++]])
    if (attempt > 0) throw bus.store.damaged('the memory view does not match its entries, even derived again')
    await bus.repairViews()
  }
}

export async function memoryGet (bus: Bus, key: string): Promise<MemoryItem> {
  checkMemoryKey(key)
  const [[, r] = ['', undefined]] = await checkedRecords(bus, async () => [[key, await bus.store.storage.get('memory', key)]])
  if (r == null || r.deleted) throw new NotFoundError(`no memory entry ${JSON.stringify(key)}`, 'list what there is with `smesh memory list`')
  return memoryItem(bus, key, r)
}

export async function memoryList (bus: Bus, prefix = '', limit = 10_000): Promise<MemoryItem[]> {
  const out: MemoryItem[] = []
  // in pages: each page's records checked against their entries in one read
  let after: string | undefined
  for (;;) {
    const page = await checkedRecords(bus, async () => {
      const rows: Array<[string, Uint8Array]> = []
      for await (const kv of bus.store.memoryRecords(prefix, after, 256)) rows.push(kv)
      return rows
    })
    for (const [k, r] of page) {
      if (r != null && !r.deleted) out.push(memoryItem(bus, k, r))
      if (out.length >= limit) return out
    }
    if (page.length < 256) return out
    after = page[page.length - 1]?.[0]
  }
}

export async function memorySet (bus: Bus, key: string, value: unknown, options: { signal?: AbortSignal } = {}): Promise<EntryView> {
  checkMemoryKey(key)
  if (value === undefined) throw new InvalidBodyError('a memory value is needed')
  return view(bus, await bus.append(KINDS.memoryPut, encodeJsonBody({ key, value }), options))
}

export async function memoryRemove (bus: Bus, key: string, options: { signal?: AbortSignal } = {}): Promise<EntryView> {
  await memoryGet(bus, key)
  return view(bus, await bus.append(KINDS.memoryDel, encodeJsonBody({ key }), options))
}

export interface SessionSummary {
  id: string
  title: string
  openedBy: string
  openedAt: string
}

export interface SessionView extends SessionSummary {
  messages: Array<{ role: string, content: string, model?: string, peer?: string, author: string, hash: string, time: string }>
  state: Record<string, unknown>
  entries: number
}

/** A session id, or a unique prefix of one (at least 8 hex digits). */
export async function resolveSession (bus: Bus, idOrPrefix: string): Promise<string> {
  if (!/^[0-9a-f]{8,64}$/.test(idOrPrefix)) throw new InvalidBodyError(`invalid session id ${JSON.stringify(idOrPrefix.slice(0, 80))}`, 'a session id is 64 hex digits; a unique prefix of 8 or more works too (see `smesh session list`)')
  const found: string[] = []
  for await (const id of bus.store.sessionIds()) if (id.startsWith(idOrPrefix)) found.push(id)
  if (found.length === 1) return found[0] as string
  if (found.length === 0) throw new NotFoundError(`no session ${idOrPrefix}`, 'list sessions with `smesh session list`')
  throw new InvalidBodyError(`session prefix ${idOrPrefix} is ambiguous (${found.length} sessions)`, 'give more digits of the id')
}

export async function sessionOpen (bus: Bus, title: string | undefined, options: { signal?: AbortSignal } = {}): Promise<SessionSummary> {
  const e = await bus.append(KINDS.sessionOpen, encodeJsonBody(title != null ? { title } : {}), options)
  return { id: e.hashHex, title: title ?? '', openedBy: 'self', openedAt: new Date(Number(e.hlc.ms)).toISOString() }
}

export async function sessionAppend (bus: Bus, idOrPrefix: string, msg: { role: SessionRole, content: string, model?: string, peer?: string }, options: { signal?: AbortSignal } = {}): Promise<EntryView> {
  const session = await resolveSession(bus, idOrPrefix)
  return view(bus, await bus.append(KINDS.sessionMessage, encodeJsonBody({ session, ...msg }), options))
}

export async function sessionList (bus: Bus): Promise<SessionSummary[]> {
  await bus.viewsSettled()
  const out: SessionSummary[] = []
  for await (const id of bus.store.sessionIds()) {
    const e = await bus.store.entry(id)
    if (e == null) continue
    const v = view(bus, e)
    out.push({ id, title: String((v.body as { title?: string })?.title ?? ''), openedBy: v.peerId, openedAt: v.time })
  }
  return out
}

/** A session in HLC order: every node shows the same sequence. */
export async function sessionShow (bus: Bus, idOrPrefix: string): Promise<SessionView> {
  await bus.viewsSettled()
  const id = await resolveSession(bus, idOrPrefix)
  const open = await bus.store.entry(id)
  if (open == null) throw new NotFoundError(`no session ${id}`, 'list sessions with `smesh session list`')
  const ov = view(bus, open)
  const result: SessionView = { id, title: String((ov.body as { title?: string })?.title ?? ''), openedBy: ov.peerId, openedAt: ov.time, messages: [], state: {}, entries: 0 }
  for await (const hash of bus.store.sessionIndex(id)) {
    const e = await bus.store.entry(hash)
    if (e == null) continue
    result.entries++
    const v = view(bus, e)
    const body = v.body as Record<string, any>
    if (e.entry.kind === KINDS.sessionMessage) {
      result.messages.push({ role: body.role, content: body.content, model: body.model, peer: body.peer, author: v.peerId, hash: v.hash, time: v.time })
    } else if (e.entry.kind === KINDS.sessionState) {
      result.state = { ...result.state, ...body.state }
    }
  }
  return result
}
