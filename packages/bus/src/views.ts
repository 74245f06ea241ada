import { decodeEntry, decodeStored } from './entry.js'
import { compareTimestamps } from './hlc.js'
import { KINDS, parseBody, tryParseBody } from './kinds.js'
import type { BusEntry } from './entry.js'
import type { BusStorage, WriteOp } from './store/storage.js'
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

/**
 * Whether a memory view record is what the entry it cites says: the entry's bytes hash to the hash
 * the record names, and its key, author, time, kind and value are the record's. The views are
 * derived, so a record that is not is repaired by deriving them again (Bus.rebuildViews).
 */
export function memoryRecordMatches (key: string, rec: MemoryRecord, raw: Uint8Array | undefined): boolean {
  if (raw === undefined || typeof rec?.hash !== 'string') return false
  try {
    const e = decodeStored(raw, rec.hash)
    if (e == null) return false
    const body = parseBody(e.entry.kind, e.entry.body) as { key?: unknown, value?: unknown }
    return body.key === key && rec.author === e.authorHex && rec.ms === e.hlc.ms.toString() && rec.counter === e.hlc.counter &&
      rec.deleted === (e.entry.kind === KINDS.memoryDel) && JSON.stringify(rec.value) === JSON.stringify(rec.deleted ? null : body.value)
  } catch {
    return false
  }
}

const dec = new TextDecoder()
const HASH = /^[0-9a-f]{64}$/
const NO_HASH = '0'.repeat(64)

/** A memory view record as stored, or undefined when its bytes are not one (damaged on disk). */
export function readRecord (v: Uint8Array): MemoryRecord | undefined {
  try {
    const r = JSON.parse(dec.decode(v)) as MemoryRecord
    return r != null && typeof r === 'object' && typeof r.ms === 'string' && /^\d+$/.test(r.ms) && typeof r.counter === 'number' && typeof r.author === 'string' && typeof r.hash === 'string' ? r : undefined
  } catch {
    return undefined
  }
}

/**
 * Memory view records as stored (key, bytes), each read and checked against the entry it cites
 * (memoryRecordMatches), the cited entries in one read. `records[i]` is undefined for bytes that
 * are no record; `match` is whether every one is what its entry says.
 */
export async function checkRecords (storage: BusStorage, rows: Array<[string, Uint8Array]>): Promise<{ records: Array<MemoryRecord | undefined>, match: boolean }> {
  const records = rows.map(([, v]) => readRecord(v))
  const raws = rows.length === 0 ? [] : await storage.getMany('entry', records.map(r => r != null && HASH.test(r.hash) ? r.hash : NO_HASH))
  const match = rows.every(([key], i) => {
    const r = records[i]
    return r != null && memoryRecordMatches(key, r, raws[i])
  })
  return { records, match }
}

/** Last writer wins: later HLC, then the larger author id, then the larger entry hash. Deterministic on every node. */
export function newerThan (a: MemoryRecord, b: MemoryRecord): boolean {
  const c = compareTimestamps({ ms: BigInt(a.ms), counter: a.counter }, { ms: BigInt(b.ms), counter: b.counter })
  if (c !== 0) return c > 0
  if (a.author !== b.author) return a.author > b.author
  return a.hash > b.hash
}

/**
 * The view writes a run of entries causes, in order. Each body is parsed
 * once, and the current memory record of every key the run writes is read
 * in one call (keys with no record included, so nothing is read again).
 */
export async function viewOps (onStale: (() => void) | undefined, store: BusStore, run: BusEntry[]): Promise<WriteOp[]> {
  const bodies = run.map(e => tryParseBody(e.entry.kind, e.entry.body) as Record<string, unknown> | undefined)
  const keys = [...new Set(run.flatMap((e, i) => isMemory(e) && bodies[i] != null ? [(bodies[i] as unknown as MemoryDelBody).key] : []))]
  // the winning record of each key so far: stored ones first, then those this run writes
  const current = new Map<string, MemoryRecord | undefined>()
  if (keys.length > 0) {
    const raws = await store.storage.getMany('memory', keys)
    raws.forEach((v, i) => {
      if (v === undefined) return current.set(keys[i] as string, undefined)
      const rec = readRecord(v)
      // a record damaged on disk: the write goes ahead as if there were none, and the views are derived again after it
      if (rec == null) onStale?.()
      current.set(keys[i] as string, rec)
    })
  }
  const ops: WriteOp[] = []
  run.forEach((e, i) => {
    const body = bodies[i]
    if (body == null) return
    const kind = e.entry.kind
    if (isMemory(e)) {
      const { key } = body as unknown as MemoryDelBody
      const rec: MemoryRecord = {
        value: kind === KINDS.memoryPut ? (body as unknown as MemoryPutBody).value : null,
        deleted: kind === KINDS.memoryDel,
        ms: e.hlc.ms.toString(),
        counter: e.hlc.counter,
        author: e.authorHex,
        hash: e.hashHex
      }
      const winner = current.get(key)
      if (winner !== undefined && !newerThan(rec, winner)) return
      current.set(key, rec)
      ops.push(store.jsonOp('memory', key, rec))
    } else if (kind === KINDS.sessionOpen) {
      ops.push(store.sessionOp(e.hashHex, e))
    } else if (kind === KINDS.sessionMessage || kind === KINDS.sessionState) {
      ops.push(store.sessionOp((body as unknown as SessionMessageBody | SessionStateBody).session, e))
    }
  })
  return ops
}

function isMemory (e: BusEntry): boolean {
  return e.entry.kind === KINDS.memoryPut || e.entry.kind === KINDS.memoryDel
}

/**
 * Drops the memory and session views and derives them again from the chains up to `heads`
 * (Bus.rebuildViews runs it in the bus's serial queue). Marked first with `meta/viewsDirty`: a
 * rebuild cut off by a crash is redone on the next open. Returns the number of entries replayed.
 */
export async function deriveViews (store: BusStore, heads: Array<{ authorHex: string, seq: bigint }>, options: { signal?: AbortSignal, onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
  await store.write([store.metaOp('viewsDirty', '1')], true)
  await store.storage.clear('memory')
  await store.storage.clear('session')
  const total = heads.reduce((n, h) => n + Number(h.seq), 0)
  let done = 0
  for (const h of heads) {
    for await (const raws of store.chain(h.authorHex, h.seq)) {
      options.signal?.throwIfAborted()
      await store.write(await viewOps(undefined, store, raws.map(decodeEntry)), false)
      done += raws.length
      options.onProgress?.(done, total)
    }
  }
  await store.write([store.metaOp('viewsDirty', '0')], true)
  return done
}
