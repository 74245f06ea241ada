import { compareTimestamps } from './hlc.js'
import { KINDS, tryParseBody } from './kinds.js'
import type { BusEntry } from './entry.js'
import type { WriteOp } from './store/storage.js'
import type { BusStore } from './store/store.js'
import type { MemoryDelBody, MemoryPutBody, SessionMessageBody, SessionStateBody } from './kinds.js'

/** The memory view's record of one key: the winning write (a delete leaves a tombstone). */
export interface MemoryRecord {
  value: unknown
  deleted: boolean
  ms: string
  counter: number
  author: string
  hash: string
}

/** Last writer wins: later HLC, then the larger author id, then the larger entry hash. Deterministic on every node. */
export function newerThan (a: MemoryRecord, b: MemoryRecord): boolean {
  const c = compareTimestamps({ ms: BigInt(a.ms), counter: a.counter }, { ms: BigInt(b.ms), counter: b.counter })
  if (c !== 0) return c > 0
  if (a.author !== b.author) return a.author > b.author
  return a.hash > b.hash
}

/**
 * Reads, in one call, the current memory records of every key a run of
 * entries writes, into `overlay` (so that viewOps need not read them one by one).
 */
export async function preloadMemory (store: BusStore, run: BusEntry[], overlay: Map<string, MemoryRecord>): Promise<void> {
  const keys = new Set<string>()
  for (const e of run) {
    if (e.entry.kind !== KINDS.memoryPut && e.entry.kind !== KINDS.memoryDel) continue
    const body = tryParseBody(e.entry.kind, e.entry.body) as MemoryDelBody | undefined
    if (body != null && !overlay.has(body.key)) keys.add(body.key)
  }
  if (keys.size === 0) return
  const list = [...keys]
  const found = await store.getManyJson<MemoryRecord>('memory', list)
  list.forEach((k, i) => { const r = found[i]; if (r !== undefined) overlay.set(k, r) })
}

/**
 * Computes the view writes an entry causes. `overlay` holds memory records
 * written earlier in the same batch (not yet readable from the store).
 */
export async function viewOps (store: BusStore, e: BusEntry, overlay: Map<string, MemoryRecord>): Promise<WriteOp[]> {
  const kind = e.entry.kind
  if (kind === KINDS.memoryPut || kind === KINDS.memoryDel) {
    const body = tryParseBody(kind, e.entry.body) as MemoryPutBody | MemoryDelBody | undefined
    if (body === undefined) return []
    const rec: MemoryRecord = {
      value: kind === KINDS.memoryPut ? (body as MemoryPutBody).value : null,
      deleted: kind === KINDS.memoryDel,
      ms: e.hlc.ms.toString(),
      counter: e.hlc.counter,
      author: e.authorHex,
      hash: e.hashHex
    }
    const current = overlay.get(body.key) ?? await store.getJson<MemoryRecord>('memory', body.key)
    if (current !== undefined && !newerThan(rec, current)) return []
    overlay.set(body.key, rec)
    return [store.jsonOp('memory', body.key, rec)]
  }
  if (kind === KINDS.sessionOpen) {
    if (tryParseBody(kind, e.entry.body) === undefined) return []
    return [store.sessionOp(e.hashHex, e)]
  }
  if (kind === KINDS.sessionMessage || kind === KINDS.sessionState) {
    const body = tryParseBody(kind, e.entry.body) as SessionMessageBody | SessionStateBody | undefined
    return body === undefined ? [] : [store.sessionOp(body.session, e)]
  }
  return []
}
