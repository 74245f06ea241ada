import { BUS_SYNC_PROTOCOL, BUS_SYNC_VERSION, MAX_SYNC_BATCH_ENTRIES, MAX_SYNC_HEAD_PAGES, MAX_SYNC_HEADS, MAX_SYNC_MESSAGE_BYTES, SyncBatch, SyncHeads, SyncHello, SyncWant, decodeSyncBatch, decodeSyncHeads, decodeSyncHello, decodeSyncWant } from '@smesh/protocols'
import { pbStream } from '@libp2p/utils'
import { SYNC_BATCH, SYNC_IDLE_TIMEOUT_MS } from '../constants.js'
import { decodeEntry } from '../entry.js'
import { InvalidEntryError } from '../errors.js'
import { fromHex, toHex } from '../hex.js'
import type { Bus } from '../bus.js'
import type { Head } from '@smesh/protocols'
import type { Stream } from '@libp2p/interface'

/** Messages are read through @smesh/protocols' decoders, which hold each message's size and count limits. */
const HELLO = { decode: decodeSyncHello }
const HEADS = { decode: decodeSyncHeads }
const WANT = { decode: decodeSyncWant }
const BATCH = { decode: decodeSyncBatch }

/** Requests out ahead of the answers during a catch-up. */
const SYNC_AHEAD = 4

/** Most bytes of entries sent in one SyncBatch (the message limit leaves room for framing). */
const MAX_BATCH_BYTES = MAX_SYNC_MESSAGE_BYTES - 64 * 1024

export interface SyncProgress {
  authorHex: string
  /** Entries received so far in this session, and how many the peer's heads promised. */
  done: number
  total: number
}

export interface SyncResult {
  received: number
  forks: number
  /** Authors whose chain the peer follows on another branch (evidence was fetched). */
  diverged: number
  /** Entries of this node's own chain that it lacked and got from the peer. */
  ownFetched: number
  /** Authors whose entries (from some seq on) this node's admission refused. */
  refused: number
}

function headsOf (bus: Bus): Head[] {
  return bus.heads().map(h => ({ author: fromHex(h.authorHex) as Uint8Array<ArrayBuffer>, seq: h.seq, hash: fromHex(h.hashHex) as Uint8Array<ArrayBuffer> }))
}

function timeout (signal: AbortSignal): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(SYNC_IDLE_TIMEOUT_MS)])
}

/** What this node would ask for, given a peer's heads: authors missing here, or further ahead there, or a head that differs. */
export async function planWants (bus: Bus, theirs: Head[]): Promise<Array<{ authorHex: string, from: bigint, to: bigint, evidenceOnly: boolean }>> {
  const plan: Array<{ authorHex: string, from: bigint, to: bigint, evidenceOnly: boolean }> = []
  for (const h of theirs) {
    if (h.author.byteLength !== 32 || h.seq < 1n) continue
    const authorHex = toHex(h.author)
    const mine = bus.head(authorHex)
    if (mine == null) plan.push({ authorHex, from: 1n, to: h.seq, evidenceOnly: false })
    else if (h.seq > mine.seq) plan.push({ authorHex, from: mine.seq + 1n, to: h.seq, evidenceOnly: false })
    else if (await bus.store.hashAt(authorHex, h.seq) !== toHex(h.hash)) plan.push({ authorHex, from: h.seq, to: h.seq, evidenceOnly: true })
  }
  return plan
}

/**
 * The client side of /smesh/bus-sync/1.0.0 on an open stream: send our
 * heads, read theirs, then pull what is missing in batches, a few requests
 * ahead of the answers (the server sends nothing unasked: that is the
 * backpressure). A session that is cut off simply ends; the next one
 * resumes from the heads.
 */
export async function runSyncClient (bus: Bus, stream: Stream, mesh: string, options: { signal: AbortSignal, onHeads?: (heads: Head[]) => void, onProgress?: (p: SyncProgress) => void }): Promise<SyncResult> {
  // room for every answer asked for ahead, each up to the message limit
  const pb = pbStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES, maxBufferSize: (SYNC_AHEAD + 1) * MAX_SYNC_MESSAGE_BYTES })
  const result: SyncResult = { received: 0, forks: 0, diverged: 0, ownFetched: 0, refused: 0 }
  await pb.write({ version: BUS_SYNC_VERSION, mesh, heads: headsOf(bus).slice(0, MAX_SYNC_HEADS) }, SyncHello, { signal: timeout(options.signal) })
  const theirs: Head[] = []
  for (let page = 0; ; page++) {
    const p = await pb.read(HEADS, { signal: timeout(options.signal) })
    theirs.push(...p.heads)
    if (!p.more) break
    if (page + 1 >= MAX_SYNC_HEAD_PAGES) throw new InvalidEntryError('malformed', `the peer sent more than ${MAX_SYNC_HEAD_PAGES} pages of heads`)
  }
  options.onHeads?.(theirs)
  const plan = await planWants(bus, theirs)
  const total = plan.reduce((n, p) => n + Number(p.to - p.from + 1n), 0)
  // requests go out a few ahead of the answers: the peer reads and sends the
  // next batches while this node verifies and stores the last one
  const receive = async (): Promise<Uint8Array[]> => (await pb.read(BATCH, { signal: timeout(options.signal) })).entries
  const ask = async (authorHex: string, from: bigint, limit: number): Promise<void> => {
    await pb.write({ author: fromHex(authorHex) as Uint8Array<ArrayBuffer>, fromSeq: from, limit }, SyncWant, { signal: timeout(options.signal) })
  }
  // chains that decide admission first (the root's, then admins'): the order is
  // taken again after each chain, since each may admit the authors of the next
  while (plan.length > 0) {
    let at = 0
    for (let i = 1; i < plan.length; i++) if (bus.rank((plan[i] as typeof plan[0]).authorHex) < bus.rank((plan[at] as typeof plan[0]).authorHex)) at = i
    const p = plan.splice(at, 1)[0] as typeof plan[0]
    const queue: Array<{ from: bigint, limit: number }> = []
    let next = p.from
    const fill = async (): Promise<void> => {
      while (queue.length < (p.evidenceOnly ? 1 : SYNC_AHEAD) && next <= p.to) {
        const left = p.to - next + 1n
        const limit = left > BigInt(SYNC_BATCH) ? SYNC_BATCH : Number(left)
        await ask(p.authorHex, next, limit)
        queue.push({ from: next, limit })
        next += BigInt(limit)
      }
    }
    // answers already asked for are read and dropped before anything else is asked
    const drain = async (): Promise<void> => {
      for (; queue.length > 0; queue.shift()) await receive()
    }
    await fill()
    while (queue.length > 0) {
      options.signal.throwIfAborted()
      const req = queue.shift() as { from: bigint, limit: number }
      const entries = await receive()
      if (entries.length === 0) { await drain(); break } // the peer has nothing more
      const firstSeq = decodeEntry(entries[0] as Uint8Array).seq
      if (firstSeq !== req.from) throw new InvalidEntryError('seq', `the peer answered a request for seq ${req.from} with seq ${firstSeq}`)
      const r = await bus.ingestRun(entries)
      result.forks += r.forks
      if (r.diverged != null) {
        // their next entry links elsewhere: their entry at our head's seq differs from ours
        result.diverged++
        await drain()
        await ask(p.authorHex, r.diverged, 1)
        const evidence = await receive()
        if (evidence.length > 0) result.forks += (await bus.ingestRun(evidence)).forks
        break
      }
      result.received += r.added
      if (p.authorHex === bus.authorHex) result.ownFetched += r.added
      options.onProgress?.({ authorHex: p.authorHex, done: result.received, total })
      if (r.refused != null) { result.refused++; await drain(); break }
      // evidence fetched; entries dated ahead of our clock (a later session takes them);
      // or a batch that brought nothing new (a peer that answers with what we hold cannot keep us here)
      if (p.evidenceOnly || r.future === true || r.added === 0) { await drain(); break }
      if (entries.length < req.limit) {
        // cut short at the byte limit: what was asked after it would leave a gap
        await drain()
        next = req.from + BigInt(entries.length)
      }
      await fill()
    }
  }
  await pb.write({ author: new Uint8Array(0) as Uint8Array<ArrayBuffer>, fromSeq: 0n, limit: 0 }, SyncWant, { signal: timeout(options.signal) })
  await stream.close({ signal: timeout(options.signal) })
  return result
}

/**
 * The server side: answer the hello with our heads, then serve each
 * SyncWant with at most MAX_SYNC_BATCH_ENTRIES consecutive entries (and at
 * most MAX_BATCH_BYTES) until the client ends the session. Returns the
 * client's heads, so the caller can pull what the client has and we lack.
 */
export async function runSyncServer (bus: Bus, stream: Stream, mesh: string, options: { signal: AbortSignal, headsPerPage?: number, onHello?: (heads: Head[]) => void }): Promise<Head[]> {
  const pb = pbStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES })
  const hello = await pb.read(HELLO, { signal: timeout(options.signal) })
  if (hello.version !== BUS_SYNC_VERSION || hello.mesh !== mesh) {
    stream.abort(new Error(`sync hello for version ${hello.version}, mesh ${JSON.stringify(hello.mesh)}`))
    return []
  }
  options.onHello?.(hello.heads)
  const heads = headsOf(bus)
  const page = Math.min(options.headsPerPage ?? MAX_SYNC_HEADS, MAX_SYNC_HEADS)
  for (let i = 0; i === 0 || i < heads.length; i += page) {
    await pb.write({ heads: heads.slice(i, i + page), more: i + page < heads.length }, SyncHeads, { signal: timeout(options.signal) })
  }
  while (true) {
    let want: SyncWant
    try {
      want = await pb.read(WANT, { signal: timeout(options.signal) })
    } catch {
      break // the client went away: nothing more to serve
    }
    if (want.limit === 0) break
    const limit = Math.min(want.limit, MAX_SYNC_BATCH_ENTRIES)
    const raws = want.author.byteLength === 32 && want.fromSeq >= 1n ? await bus.range(toHex(want.author), want.fromSeq, limit, MAX_BATCH_BYTES) : []
    await pb.write({ entries: raws as Array<Uint8Array<ArrayBuffer>> }, SyncBatch, { signal: timeout(options.signal) })
  }
  await stream.close({ signal: timeout(options.signal) }).catch(() => {})
  return hello.heads
}

export { BUS_SYNC_PROTOCOL }
