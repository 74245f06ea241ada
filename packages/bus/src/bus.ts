import { TypedEventEmitter } from 'main-event'
import { CHAIN_CONFIRM_TIMEOUT_MS, MAX_APPEND_GROUP, MAX_FUTURE_SKEW_MS, VERIFIED_CACHE_SIZE } from './constants.js'
import { loadAuthors } from './authors.js'
import { createVerifier } from './crypto.js'
import type { AuthorState } from './authors.js'
import { decodeEntry, signEntry, verifyEntrySignature, verifyFirstEntry } from './entry.js'
import { AdmissionRefusedError, BusStoppedError, ChainUnconfirmedError, InvalidEntryError } from './errors.js'
import type { StoreDamagedError } from './errors.js'
import { fromHex, sha256, toHex } from './hex.js'
import { HybridClock, compareTimestamps } from './hlc.js'
import type { Timestamp } from './hlc.js'
import { parseBody } from './kinds.js'
import { BoundedSet } from './lru.js'
import { deriveViews, viewOps } from './views.js'
import { HeldEntries } from './held.js'
import type { Signer, Verifier } from './crypto.js'
import type { BusEntry } from './entry.js'
import type { WriteOp } from './store/storage.js'
import { BusStore } from './store/store.js'
import { DAMAGED_META, checkStoreEnds } from './store/check.js'
import { StoreReadBack } from './store/read-back.js'
import type { StoreCheckReport } from './store/check.js'
import { witnessShortfall } from './store/witness.js'
import type { WitnessRecord } from './store/witness.js'
import type { HeadRecord } from './store/store.js'
import type { AdmissionRefusal, AuthorView, BusEvents, BusInit, IngestResult, StoreDamage } from './bus-types.js'

interface WaitingIngest {
  e: BusEntry
  from?: string
  resolve: (r: IngestResult) => void
  reject: (err: unknown) => void
}

interface AppendRequest {
  kind: string
  body: Uint8Array
  resolve: (e: BusEntry) => void
  reject: (err: Error) => void
}

/** An author's clock never goes back along its chain: each entry is dated after the one before it. */
function checkLater (prev: Timestamp, e: BusEntry, authorHex: string): void {
  if (compareTimestamps(e.hlc, prev) <= 0) throw new InvalidEntryError('hlc', `entry ${e.seq} of author ${authorHex.slice(0, 16)} is dated ${e.hlc.ms}.${e.hlc.counter}, not after the entry before it (${prev.ms}.${prev.counter})`)
}

/**
 * The memory bus of one node: its own signed chain, every peer's chain it
 * has verified, and the views derived from them. Every change goes through
 * one serial queue, so the store, the in-memory heads and the views always
 * agree. Own entries are written with `sync: true` before anyone hears of them.
 */
export class Bus extends TypedEventEmitter<BusEvents> {
  readonly store: BusStore
  readonly author: Uint8Array
  readonly authorHex: string
  readonly clock: HybridClock
  private readonly signer: Signer
  private readonly binding: Uint8Array
  private readonly authors = new Map<string, AuthorState>()
  private readonly verified = new BoundedSet<string>(VERIFIED_CACHE_SIZE)
  /** Entries beyond a gap, until the gap is filled. */
  private readonly held: HeldEntries
  private queue: Promise<unknown> = Promise.resolve()
  private appends: AppendRequest[] = []
  private flushScheduled = false
  /** Gossip entries waiting for their turn, by author (pumpIngest). */
  private readonly ingestWaiting = new Map<string, WaitingIngest[]>()
  private ingesting = false
  private confirmed = true
  private confirmWaiters: Array<() => void> = []
  private opened = false
  private closed = false
  private readonly confirmTimeoutMs: number
  private readonly now: () => number
  /** What the read-back of the whole store found, once done. */
  storeCheck?: StoreCheckReport
  /** The read-back of the whole store while the node runs (none with checkOnOpen false). */
  readBack?: StoreReadBack
  /** The first damage a read found in the store while the node ran. */
  storeDamage?: StoreDamagedError
  private viewRepair?: Promise<void>
  /** Set when the store came up short of what the witness saw acknowledged. */
  damage?: StoreDamage
  private witnessFloor?: WitnessRecord

  constructor (private readonly init: BusInit) {
    super()
    this.store = new BusStore(init.storage)
    this.store.onDamaged = (err) => { this.storeDamaged(err) }
    this.signer = init.signer
    this.binding = init.binding
    this.author = sha256(init.signer.publicKey)
    this.authorHex = toHex(this.author)
    this.clock = new HybridClock(init.now)
    this.confirmTimeoutMs = init.confirmTimeoutMs ?? CHAIN_CONFIRM_TIMEOUT_MS
    this.now = init.now ?? Date.now
    this.held = new HeldEntries(this.now)
  }

  /** Whether an entry is dated too far ahead of this node's clock to be taken now. */
  private fromTheFuture (e: BusEntry): boolean {
    return e.hlc.ms > BigInt(this.now() + MAX_FUTURE_SKEW_MS)
  }

  /** Opens the store and loads every chain's head. */
  async open (): Promise<void> {
    if (this.opened) return
    // a new store with an old key: this node may have published entries it no longer holds
    // (written with the schema key, in one batch: no crash can leave a new store unmarked)
    const mustConfirm = !this.init.identityCreated && this.init.newChain !== true
    const { created } = await this.store.open({ ownChainConfirmed: mustConfirm ? '0' : '1' })
    if (!created && this.init.newChain === true) {
      await this.store.write([this.store.metaOp('ownChainConfirmed', '1')], true)
    }
    try {
      if (this.init.checkOnOpen !== false) await checkStoreEnds(this.init.storage)
      const loaded = await loadAuthors(this.store)
      await this.compareWitness(created, loaded.get(this.authorHex))
      for (const [a, st] of loaded) {
        this.authors.set(a, st)
        if (st.hlc != null) this.clock.observe(st.hlc, a === this.authorHex)
      }
    } catch (err) {
      // a damaged store or an unreadable witness: the store is closed again, its lock released
      await this.store.close()
      throw err
    }
    this.confirmed = (await this.store.getMeta('ownChainConfirmed')) !== '0'
    this.opened = true
    // a rebuild of the views that was cut off (crash) is finished now; if it fails (a damaged entry), the store is closed again
    if ((await this.store.getMeta('viewsDirty')) === '1') {
      await this.rebuildViews().catch(async (err: unknown) => {
        await this.close()
        throw err
      })
    }
    if (this.init.checkOnOpen !== false) {
      this.readBack = new StoreReadBack({
        storage: this.init.storage,
        total: [...this.authors.values()].reduce((n, a) => n + Number(a.seq), 0),
        onDamaged: (err) => { this.storeDamaged(err) },
        onDone: (report) => {
          this.storeCheck = report
          this.safeDispatch('store:checked', report)
          // views found not to match their entries are derived again
          if (report.viewsStale) this.repairViews().catch(() => {})
        }
      })
      this.readBack.start()
    }
  }

  /**
   * Damage found in the store while the node runs (the read-back, or a read on any path): kept,
   * marked in the store so the next open refuses it at once, and told ('store:damaged': the node
   * stops, as it would have refused to start). Reported once.
   */
  private storeDamaged (err: StoreDamagedError): void {
    if (this.storeDamage != null || !this.opened || this.closed) return
    this.storeDamage = err
    this.store.write([this.store.metaOp(DAMAGED_META, err.problem.slice(0, 500))], true).catch(() => {})
    this.safeDispatch('store:damaged', err)
  }

  /** Derives the views again (once at a time): a memory view record was found not to be what its entry says. */
  async repairViews (): Promise<void> {
    if (this.closed) throw new BusStoppedError()
    this.viewRepair ??= this.rebuildViews().then(() => {}).finally(() => { this.viewRepair = undefined })
    await this.viewRepair
  }

  /** Told by viewOps of a memory view record it could not read: the views are derived again (after the write in hand). */
  private readonly staleViews = (): void => { if (this.opened && !this.closed) this.repairViews().catch(() => {}) }

  /** Resolves once no repair of the views is running: readers of the views wait for it (they are rebuilt in place). */
  async viewsSettled (): Promise<void> {
    await this.viewRepair?.catch(() => {})
  }

  /**
   * A store that holds less of this node's chain than the witness saw
   * acknowledged lost entries it had confirmed (its log was cut): the node
   * must not sign again before a peer gave them back, or it would sign the
   * same seq twice.
   */
  private async compareWitness (created: boolean, own: { seq: bigint, hashHex: string } | undefined): Promise<void> {
    // SMESH_BUS_NEW_CHAIN=1: the operator says no entry of this key that the store lacks matters any more
    if (this.init.newChain === true) return
    const w = await this.init.witness?.read()
    if (w == null || w.authorHex !== this.authorHex) return
    const damage = witnessShortfall(w, own)
    if (damage == null) return
    // the node confirms its chain only once its peers gave back at least what it acknowledged
    this.witnessFloor = w
    // a new store with an old key waits for its chain anyway (now for all of it)
    if (created) return
    this.damage = damage
    await this.store.write([this.store.metaOp('ownChainConfirmed', '0')], true)
  }

  async close (): Promise<void> {
    if (this.closed || !this.opened) return
    this.closed = true
    // gossip entries not yet taken are dropped (sync brings them again); appends not yet signed are refused
    for (const q of this.ingestWaiting.values()) for (const w of q.splice(0)) w.reject(new BusStoppedError())
    this.ingestWaiting.clear()
    await this.readBack?.stop()
    await this.queue.catch(() => {})
    for (const r of this.appends.splice(0)) r.reject(new BusStoppedError())
    await this.init.witness?.flush()
    await this.store.close()
  }

  /** Signs `message` with this node's ML-DSA-65 key (for records that are not entries, such as bundle manifests). */
  async signDetached (message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    return await this.signer.sign(message, context)
  }

  /** This node's encoded identity binding. */
  get ownBinding (): Uint8Array {
    return this.binding
  }

  /** Whether this node may sign: false while a node whose store was lost waits to learn its own chain. */
  get chainConfirmed (): boolean {
    return this.confirmed
  }

  /** Called by replication once a peer's heads were seen and this node's own entries fetched from it. */
  async confirmOwnChain (): Promise<void> {
    if (this.confirmed) return
    // not yet: the peers gave back less of this node's chain than it had acknowledged
    const floor = this.witnessFloor
    if (floor != null && (this.authors.get(this.authorHex)?.seq ?? 0n) < floor.seq) return
    await this.serial(async () => { await this.store.write([this.store.metaOp('ownChainConfirmed', '1')], true) })
    this.confirmed = true
    if (this.damage != null) this.damage.relearned = true
    for (const w of this.confirmWaiters.splice(0)) w()
  }

  private async waitConfirmed (signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    if (this.confirmed) return
    const started = Date.now()
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { done(); reject(new ChainUnconfirmedError(Date.now() - started)) }, this.confirmTimeoutMs)
      const onAbort = (): void => { done(); reject(signal?.reason) }
      const waiter = (): void => { done(); resolve() }
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        this.confirmWaiters = this.confirmWaiters.filter(w => w !== waiter)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.confirmWaiters.push(waiter)
    })
  }

  /** Runs `fn` after every change queued before it. */
  private async serial <T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn)
    this.queue = run.catch(() => {})
    return await run
  }

  /**
   * Signs and stores a new entry of this node's chain; resolves once it is on
   * disk (fsync). Concurrent appends are signed in order and committed
   * together in one synced batch.
   */
  /**
   * Set once by the node: judges every entry this node is about to write
   * (its lease's scopes, the mesh policy) and returns the body to sign (with
   * the approvals it cites), or throws. Admission checks the signed entry again.
   */
  authorizer?: (kind: string, body: Uint8Array, options: { signal?: AbortSignal }) => Promise<Uint8Array>

  async append (kind: string, body: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<BusEntry> {
    if (this.closed) throw new BusStoppedError()
    parseBody(kind, body)
    if (this.authorizer != null) body = await this.authorizer(kind, body, options)
    await this.waitConfirmed(options.signal)
    options.signal?.throwIfAborted()
    return await new Promise<BusEntry>((resolve, reject) => {
      const req: AppendRequest = { kind, body, resolve, reject }
      this.appends.push(req)
      // given up before it was signed: taken out of the queue (once signed, it is written)
      options.signal?.addEventListener('abort', () => {
        const i = this.appends.indexOf(req)
        if (i >= 0) {
          this.appends.splice(i, 1)
          reject(options.signal?.reason)
        }
      }, { once: true })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        void this.serial(async () => { await this.flushAppends() })
      }
    })
  }

  private async flushAppends (): Promise<void> {
    this.flushScheduled = false
    while (this.appends.length > 0) {
      const group = this.appends.splice(0, MAX_APPEND_GROUP)
      const own = this.authors.get(this.authorHex)
      let seq = own?.seq ?? 0n
      let prev = own != null ? fromHex(own.hashHex) : undefined
      const signed: Array<{ e: BusEntry, req: AppendRequest }> = []
      const ops: WriteOp[] = []
      try {
        for (const req of group) {
          let e: BusEntry
          try {
            e = await signEntry(this.signer, this.author, { kind: req.kind, body: req.body, hlc: this.clock.tick(), seq: seq + 1n, prev, binding: this.binding })
          } catch (err) {
            // a bad kind or an oversize body fails its own append, not the others of the group
            if (!(err instanceof InvalidEntryError)) throw err
            req.reject(err)
            continue
          }
          const refusal = this.init.admission?.check(e)
          if (refusal != null) {
            req.reject(new AdmissionRefusedError(refusal))
            continue
          }
          seq++
          prev = e.hash
          signed.push({ e, req })
          this.verified.add(e.hashHex)
        }
        const last = signed[signed.length - 1]
        if (last == null) continue
        // views after the signing chain: nothing waits on a store read between two signatures
        for (const { e } of signed) ops.push(...this.store.entryOps(e))
        ops.push(...await viewOps(this.staleViews, this.store, signed.map(s => s.e)))
        if (own == null) ops.push(this.store.authorOp({ authorHex: this.authorHex, peerId: '', firstHash: signed[0]?.e.hashHex ?? '' }))
        ops.push(this.store.headOp({ authorHex: this.authorHex, seq: last.e.seq, hashHex: last.e.hashHex }))
        await this.store.write(ops, true)
        this.init.witness?.record({ authorHex: this.authorHex, seq: last.e.seq, hashHex: last.e.hashHex })
        this.setHead(this.authorHex, last.e, own == null ? signed[0]?.e : undefined, own == null ? createVerifier(this.signer.publicKey) : undefined, '')
      } catch (err: any) {
        // nothing of the group was stored (requests already refused stay refused)
        for (const req of group) req.reject(err)
        continue
      }
      for (const { e, req } of signed) {
        req.resolve(e)
        this.safeDispatch('bus:entry', { entry: e, local: true })
      }
    }
  }

  private setHead (authorHex: string, last: BusEntry, first?: BusEntry, verifier?: Verifier, peerId?: string): void {
    const st = this.authors.get(authorHex)
    if (st != null) {
      st.seq = last.seq
      st.hashHex = last.hashHex
      st.hlc = last.hlc
      return
    }
    if (first == null || verifier == null) throw new Error('a new author needs its first entry')
    this.authors.set(authorHex, { authorHex, seq: last.seq, hashHex: last.hashHex, verifier, peerId: peerId ?? '', firstHash: first.hashHex, hlc: last.hlc })
  }

  private safeDispatch <K extends keyof BusEvents> (type: K, detail: BusEvents[K]['detail']): void {
    try {
      this.safeDispatchEvent(type, { detail } as any)
    } catch {
      // a listener's failure is the listener's; the bus goes on
    }
  }

  private checkSignature (st: { verifier: Verifier }, e: BusEntry): boolean {
    if (this.verified.has(e.hashHex)) return true
    const ok = verifyEntrySignature(e, st.verifier)
    if (ok) this.verified.add(e.hashHex)
    return ok
  }

  /**
   * Takes one entry received by gossip. Accepts it when it extends a chain
   * this node holds and its signature verifies; rejects it when it is
   * malformed, badly signed or badly linked; ignores duplicates and entries
   * beyond a gap (held until the gap is filled, and `bus:need` asks for a sync).
   * Takes the encoded entry, or one the caller has already decoded.
   */
  async ingest (entry: Uint8Array | BusEntry, from?: string): Promise<IngestResult> {
    let e: BusEntry
    try {
      e = entry instanceof Uint8Array ? decodeEntry(entry) : entry
    } catch (err: any) {
      return { result: 'reject', error: err instanceof InvalidEntryError ? err : new InvalidEntryError('malformed', err.message) }
    }
    if (this.closed) throw new BusStoppedError()
    return await new Promise<IngestResult>((resolve, reject) => {
      const q = this.ingestWaiting.get(e.authorHex) ?? []
      if (q.length === 0) this.ingestWaiting.set(e.authorHex, q)
      q.push({ e, from, resolve, reject })
      this.pumpIngest()
    })
  }

  /**
   * Drops the gossip entries of `authorHex` still waiting for their turn
   * (they are ignored, not refused: sync can bring them later). For a
   * flooder, cut off: its accepted burst is not verified, stored or passed
   * on. Returns how many were dropped.
   */
  dropWaiting (authorHex: string): number {
    const q = this.ingestWaiting.get(authorHex)
    if (q == null) return 0
    this.ingestWaiting.delete(authorHex)
    for (const w of q) w.resolve({ result: 'ignore', reason: 'dropped' })
    return q.length
  }

  /**
   * Gossip entries go to the serial queue one at a time, taken from each
   * author in turn: one author's flood never stands in front of another
   * author's entry, nor of this node's own writes, by more than one entry.
   */
  private pumpIngest (): void {
    if (this.ingesting) return
    let next: WaitingIngest | undefined
    for (const [author, q] of this.ingestWaiting) {
      next = q.shift()
      // to the back of the round
      this.ingestWaiting.delete(author)
      if (q.length > 0) this.ingestWaiting.set(author, q)
      if (next != null) break
    }
    if (next == null) return
    const { e, from, resolve, reject } = next
    this.ingesting = true
    this.serial(async () => await this.ingestDecoded(e, from)).then(resolve, reject).finally(() => {
      this.ingesting = false
      this.pumpIngest()
    })
  }

  private async ingestDecoded (e: BusEntry, from?: string): Promise<IngestResult> {
    // not stored now; sync offers it again, and it is taken once it is no longer ahead of the clock
    if (this.fromTheFuture(e)) return { result: 'ignore', reason: 'future' }
    const st = this.authors.get(e.authorHex)
    const badSignature = (): IngestResult => reject('signature', `entry ${e.hashHex.slice(0, 16)} of author ${e.authorHex.slice(0, 16)} has a bad signature`)
    if (st != null && e.seq <= st.seq) {
      const at = await this.store.hashAt(e.authorHex, e.seq)
      if (at === e.hashHex) return { result: 'ignore', reason: 'duplicate' }
      if (!this.checkSignature(st, e)) return badSignature()
      const recorded = await this.recordFork(e, at)
      return recorded ? { result: 'accept', fork: true } : { result: 'ignore', reason: 'known-fork' }
    }
    if (st == null && e.seq !== 1n) {
      // without the author's key nothing can be checked yet: held as a candidate, checked once the key arrives
      this.held.hold(e, false)
      this.need(e.authorHex, from)
      return { result: 'ignore', reason: 'unknown-author' }
    }
    if (st != null && e.seq > st.seq + 1n) {
      if (!this.checkSignature(st, e)) return badSignature()
      this.held.hold(e, true)
      this.need(e.authorHex, from)
      return { result: 'ignore', reason: 'gap' }
    }
    if (st != null && toHex(e.entry.prev) !== st.hashHex) {
      if (!this.checkSignature(st, e)) return badSignature()
      // validly signed, but on another branch: the sender may be an honest relay of a forked author
      if (st.forkedAt != null) return { result: 'ignore', reason: 'known-fork' }
      this.need(e.authorHex, from) // the sync finds the entry this one links to: fork evidence
      return reject('link', `entry ${e.seq} of author ${e.authorHex.slice(0, 16)} does not link to the entry ${st.seq} this node holds`)
    }
    let refusal: AdmissionRefusal | undefined
    try {
      refusal = (await this.applyChain(e.authorHex, [e], true)).refusal
    } catch (err: any) {
      if (err instanceof InvalidEntryError) return { result: 'reject', error: err }
      throw err
    }
    if (refusal?.reason === 'not-member' || refusal?.reason === 'awaiting') {
      // its lease (or the approval it cites) may be on its way in another chain: a sync brings both, in order
      this.need(e.authorHex, from)
      return { result: 'ignore', reason: 'not-member' }
    }
    if (refusal != null) return reject(refusal.reason, refusal.message)
    await this.drainPending(e.authorHex)
    return { result: 'accept' }
  }

  /**
   * Verifies and stores a run of entries of one author that extends the
   * chain this node holds (from sync or gossip). Links are checked for every
   * entry; signatures for the last entry only unless `everySignature` (the
   * last signature commits, through the hash links, to every entry before
   * it). Throws InvalidEntryError; `link` when the run does not start on
   * this node's head (the sender follows another branch). Entries the
   * admission refuses are not stored, nor any after them: the entries
   * before the first refused one are, and the refusal is returned.
   */
  private async applyChain (authorHex: string, whole: BusEntry[], everySignature: boolean): Promise<{ applied: number, refusal?: AdmissionRefusal }> {
    let run = whole
    const first = run[0]
    let last = run[run.length - 1]
    if (first == null || last == null) return { applied: 0 }
    const st = this.authors.get(authorHex)
    let verifier = st?.verifier
    let peerId = st?.peerId
    if (st == null) {
      if (first.seq !== 1n) throw new InvalidEntryError('unknown-author', `entries of author ${authorHex.slice(0, 16)} start at seq ${first.seq}, and this node has not seen the author's first entry`)
      peerId = await verifyFirstEntry(first)
      verifier = createVerifier(first.entry.publicKey)
    } else if (first.seq !== st.seq + 1n || toHex(first.entry.prev) !== st.hashHex) {
      throw new InvalidEntryError('link', `entry ${first.seq} of author ${authorHex.slice(0, 16)} does not link to the entry ${st.seq} this node holds`)
    }
    if (st?.hlc != null) checkLater(st.hlc, first, authorHex)
    for (let i = 1; i < run.length; i++) {
      const prev = run[i - 1] as BusEntry
      const cur = run[i] as BusEntry
      if (cur.authorHex !== authorHex || cur.seq !== prev.seq + 1n) throw new InvalidEntryError('seq', `entries are not consecutive at seq ${cur.seq}`)
      if (toHex(cur.entry.prev) !== prev.hashHex) throw new InvalidEntryError('link', `entry ${cur.seq} of author ${authorHex.slice(0, 16)} does not link to entry ${prev.seq}`)
      checkLater(prev.hlc, cur, authorHex)
    }
    const v = verifier as Verifier
    for (const e of everySignature ? run : [last]) {
      if (!this.checkSignature({ verifier: v }, e)) throw new InvalidEntryError('signature', `entry ${e.seq} of author ${authorHex.slice(0, 16)} has a bad signature`)
    }
    let refusal: AdmissionRefusal | undefined
    const admission = this.init.admission
    if (admission != null) {
      const i = run.findIndex(e => (refusal = admission.check(e)) != null)
      if (i === 0) return { applied: 0, refusal }
      if (i > 0) {
        run = run.slice(0, i)
        last = run[i - 1] as BusEntry
      }
    }
    const ops: WriteOp[] = []
    for (const e of run) {
      ops.push(...this.store.entryOps(e))
      this.clock.observe(e.hlc, authorHex === this.authorHex)
    }
    ops.push(...await viewOps(this.staleViews, this.store, run))
    if (st == null) ops.push(this.store.authorOp({ authorHex, peerId: peerId ?? '', firstHash: first.hashHex }))
    ops.push(this.store.headOp({ authorHex, seq: last.seq, hashHex: last.hashHex }))
    await this.store.write(ops, false)
    this.setHead(authorHex, last, first, v, peerId)
    for (const e of run) this.safeDispatch('bus:entry', { entry: e, local: false })
    return { applied: run.length, refusal }
  }

  private async drainPending (authorHex: string): Promise<void> {
    const st = this.authors.get(authorHex)
    if (st == null) return
    this.held.dropUpTo(authorHex, st.seq)
    let candidates = this.held.take(authorHex, st.seq + 1n)
    while (candidates != null) {
      let applied = false
      for (const candidate of candidates) {
        try {
          applied = (await this.applyChain(authorHex, [candidate], true)).applied > 0
          if (applied) break
        } catch {
          // a forged or mislinked candidate: try the next
        }
      }
      if (!applied) break
      candidates = this.held.take(authorHex, st.seq + 1n)
    }
  }

  private need (authorHex: string, peer?: string): void {
    this.safeDispatch('bus:need', { authorHex, peer })
  }

  /**
   * Takes a run of consecutive entries of one author from sync. Entries this
   * node already holds are skipped (a differing one is checked as fork
   * evidence); the rest must extend this node's head. Returns how many were
   * added, or `diverged` when the run follows another branch of the chain.
   */
  async ingestRun (raws: Uint8Array[]): Promise<{ added: number, diverged?: bigint, forks: number, future?: boolean, refused?: AdmissionRefusal }> {
    const run = raws.map(decodeEntry)
    const authorHex = run[0]?.authorHex
    if (authorHex == null) return { added: 0, forks: 0 }
    if (run.some(e => e.authorHex !== authorHex)) throw new InvalidEntryError('author', 'a sync batch mixes authors')
    return await this.serial(async () => {
      const st = this.authors.get(authorHex)
      let forks = 0
      let i = 0
      while (st != null && i < run.length && (run[i] as BusEntry).seq <= st.seq) {
        const e = run[i] as BusEntry
        const at = await this.store.hashAt(authorHex, e.seq)
        if (at !== e.hashHex) {
          if (!this.checkSignature(st, e)) throw new InvalidEntryError('signature', `entry ${e.seq} of author ${authorHex.slice(0, 16)} has a bad signature`)
          if (await this.recordFork(e, at)) forks++
        }
        i++
      }
      let rest = run.slice(i)
      const ahead = rest.findIndex(e => this.fromTheFuture(e))
      if (ahead >= 0) rest = rest.slice(0, ahead)
      if (rest.length === 0) return { added: 0, forks, ...(ahead >= 0 ? { future: true } : {}) }
      if (st != null && toHex((rest[0] as BusEntry).entry.prev) !== st.hashHex && (rest[0] as BusEntry).seq === st.seq + 1n) {
        return { added: 0, diverged: st.seq, forks }
      }
      const { applied, refusal } = await this.applyChain(authorHex, rest, false)
      if (applied > 0) await this.drainPending(authorHex)
      return { added: applied, forks, ...(ahead >= 0 ? { future: true } : {}), ...(refusal != null ? { refused: refusal } : {}) }
    })
  }

  /** Stores `e` as evidence against the entry `mainHash` with the same author and seq. Returns false if already known. */
  private async recordFork (e: BusEntry, mainHash: string | undefined): Promise<boolean> {
    const st = this.authors.get(e.authorHex)
    if (st == null) return false
    if (await this.store.rawEntry(e.hashHex) !== undefined) return false
    const main = mainHash != null ? await this.store.checkedRaw(mainHash) : undefined
    const ops = this.store.evidenceOps(e)
    const forkedAt = st.forkedAt == null || e.seq < st.forkedAt ? e.seq : st.forkedAt
    ops.push(this.store.authorOp({ authorHex: st.authorHex, peerId: st.peerId, firstHash: st.firstHash, forkedAt: forkedAt.toString() }))
    await this.store.write(ops, true)
    st.forkedAt = forkedAt
    if (main != null) this.safeDispatch('bus:fork', { authorHex: e.authorHex, seq: e.seq, a: main, b: e.bytes })
    return true
  }

  /**
   * Takes a fork proof (two entries, same author and seq, different bytes).
   * Both signatures must verify with the author's key, which this node must
   * know. Returns whether it was new evidence.
   */
  async ingestForkProof (a: Uint8Array, b: Uint8Array): Promise<boolean> {
    const ea = decodeEntry(a)
    const eb = decodeEntry(b)
    if (ea.authorHex !== eb.authorHex || ea.seq !== eb.seq || ea.hashHex === eb.hashHex) {
      throw new InvalidEntryError('malformed', 'a fork proof needs two different entries with the same author and seq')
    }
    return await this.serial(async () => {
      const st = this.authors.get(ea.authorHex)
      if (st == null) return false
      for (const e of [ea, eb]) {
        if (!this.checkSignature(st, e)) throw new InvalidEntryError('signature', `fork proof entry ${e.hashHex.slice(0, 16)} has a bad signature`)
      }
      const main = await this.store.hashAt(ea.authorHex, ea.seq)
      if (main === ea.hashHex) return await this.recordFork(eb, main)
      if (main === eb.hashHex) return await this.recordFork(ea, main)
      const one = await this.recordFork(ea, undefined)
      const two = await this.recordFork(eb, undefined)
      if (one || two) this.safeDispatch('bus:fork', { authorHex: ea.authorHex, seq: ea.seq, a, b })
      return one || two
    })
  }

  /**
   * Drops the memory and session views and derives them again from every
   * chain's entries. The result does not depend on the order entries are
   * replayed in (last writer wins by HLC, author, hash). Returns the number
   * of entries replayed.
   */
  async rebuildViews (options: { signal?: AbortSignal, onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
    return await this.serial(async () => {
      // a repair queued behind the close: the store is closing (a rebuild cut off is redone on the next open anyway)
      if (this.closed) throw new BusStoppedError()
      return await deriveViews(this.store, this.heads(), options)
    })
  }

  // ---- reads ----

  /** Entries held beyond gaps, waiting for the entries before them. */
  heldStats (): { entries: number, bytes: number } {
    return this.held.stats()
  }

  heads (): HeadRecord[] {
    return [...this.authors.values()].map(a => ({ authorHex: a.authorHex, seq: a.seq, hashHex: a.hashHex }))
  }

  head (authorHex: string): HeadRecord | undefined {
    const a = this.authors.get(authorHex)
    return a == null ? undefined : { authorHex, seq: a.seq, hashHex: a.hashHex }
  }

  authorViews (): AuthorView[] {
    return [...this.authors.values()].map(a => ({
      author: a.authorHex,
      peerId: this.peerLabel(a.authorHex),
      seq: a.seq.toString(),
      head: a.hashHex,
      forked: a.forkedAt != null,
      forkedAt: a.forkedAt?.toString() ?? null
    }))
  }

  /** Public key and PeerId of a known author. */
  async authorKey (authorHex: string): Promise<{ publicKey: Uint8Array, binding: Uint8Array, peerId: string } | undefined> {
    const st = this.authors.get(authorHex)
    if (st == null) return undefined
    const first = await this.store.entry(st.firstHash)
    if (first == null) return undefined
    return { publicKey: first.entry.publicKey, binding: first.entry.binding, peerId: st.peerId }
  }

  /** Sync order of an author's chain (see EntryAdmission.rank). */
  rank (authorHex: string): number {
    return this.init.admission?.rank?.(authorHex) ?? 0
  }

  peerIdOf (authorHex: string): string | undefined {
    return authorHex === this.authorHex ? undefined : this.authors.get(authorHex)?.peerId
  }

  /** Who an author is, as views show it: "self" for this node, else the PeerId bound to its key ('' when unknown). */
  peerLabel (authorHex: string): string {
    return authorHex === this.authorHex ? 'self' : (this.peerIdOf(authorHex) ?? '')
  }

  async range (authorHex: string, fromSeq: bigint, limit: number, maxBytes?: number): Promise<Uint8Array[]> {
    return await this.store.range(authorHex, fromSeq, limit, maxBytes)
  }
}

function reject (reason: ConstructorParameters<typeof InvalidEntryError>[0], message: string): IngestResult {
  return { result: 'reject', error: new InvalidEntryError(reason, message) }
}
