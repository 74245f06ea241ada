import { decodeEntry, signEntry } from '@smesh/bus/entry'
import { HybridClock } from '@smesh/bus/hlc'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { get, set } from 'idb-keyval'
import { store } from './keys.js'
import type { DeviceKeys } from './keys.js'
import type { Signer } from '@smesh/bus'
import type { BusEntry } from '@smesh/bus/entry'

/** Runs after the one before: a tab signs one entry at a time. */
let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs `fn` with this device's chain, freshly read, alone: no other signing
 * of this page (and, where the browser has Web Locks, of any tab of it)
 * runs meanwhile, so no two entries ever get one seq.
 */
export async function withChain <T> (keys: DeviceKeys, fn: (chain: OwnChain) => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: { request: (name: string, cb: () => Promise<T>) => Promise<T> } } | undefined)?.locks
  const body = async (): Promise<T> => await fn(await OwnChain.load(keys))
  const run = async (): Promise<T> => locks != null ? await locks.request('smesh-own-chain', body) : await body()
  const p = queue.then(run, run)
  queue = p.catch(() => {})
  return await p
}

/** Entries of its own chain the page keeps, to hand again to a node that lacks them. */
const KEPT = 256

interface StoredChain {
  seq: string
  hashHex: string
  hlcMs: string
  hlcCounter: number
  /** The last KEPT entries, oldest first. */
  entries: Array<{ seq: string, bytes: Uint8Array }>
}

/**
 * This device's own chain on the bus: it signs each entry in the browser
 * with its ML-DSA-65 key, after the last it signed (never two with one seq,
 * whatever a node says), and keeps the latest to push again. Use it through
 * `withChain`.
 */
export class OwnChain {
  private constructor (private readonly keys: DeviceKeys, private state: StoredChain, private readonly clock: HybridClock) {}

  static async load (keys: DeviceKeys): Promise<OwnChain> {
    const state = await get<StoredChain>('chain', store) ?? { seq: '0', hashHex: '', hlcMs: '0', hlcCounter: 0, entries: [] }
    const clock = new HybridClock()
    clock.observe({ ms: BigInt(state.hlcMs), counter: state.hlcCounter }, true)
    return new OwnChain(keys, state, clock)
  }

  get seq (): bigint {
    return BigInt(this.state.seq)
  }

  /** Signs the next entry and keeps it before it is handed to any node. */
  async sign (kind: string, body: Uint8Array): Promise<BusEntry> {
    const { publicKey, secretKey } = this.keys.pq
    const signer: Signer = { backend: 'noble', publicKey, sign: async (m, c) => mlDsa65.sign(m, secretKey, { context: c }), signSync: (m, c) => mlDsa65.sign(m, secretKey, { context: c }) }
    const seq = this.seq + 1n
    const author = Uint8Array.from(this.keys.device.match(/../g) ?? [], h => parseInt(h, 16))
    const prev = seq === 1n ? undefined : Uint8Array.from(this.state.hashHex.match(/../g) ?? [], h => parseInt(h, 16))
    const e = await signEntry(signer, author, { kind, body, hlc: this.clock.tick(), seq, ...(prev != null ? { prev } : {}), binding: this.keys.binding })
    this.state = { seq: seq.toString(), hashHex: e.hashHex, hlcMs: e.hlc.ms.toString(), hlcCounter: e.hlc.counter, entries: [...this.state.entries, { seq: seq.toString(), bytes: e.bytes }].slice(-KEPT) }
    await set('chain', this.state, store)
    return e
  }

  /**
   * Takes back the last entry after the node refused it: it was never
   * stored anywhere (a refused entry is not kept or passed on), so the next
   * entry takes its place. Only for a refusal, never for a lost answer.
   */
  async takeBack (e: BusEntry): Promise<void> {
    if (e.hashHex !== this.state.hashHex) return
    const entries = this.state.entries.slice(0, -1)
    const last = entries[entries.length - 1]
    if (last == null && e.seq !== 1n) return
    const prev = last == null ? undefined : decodeEntry(last.bytes)
    // the clock stays where it is: the next entry is still dated after the one taken back
    this.state = prev == null
      ? { seq: '0', hashHex: '', hlcMs: this.state.hlcMs, hlcCounter: this.state.hlcCounter, entries: [] }
      : { ...this.state, seq: prev.seq.toString(), hashHex: prev.hashHex, entries }
    await set('chain', this.state, store)
  }

  /** The kept entries after `seq`, oldest first (for a node whose copy of the chain ends there). */
  after (seq: bigint): Uint8Array[] {
    return this.state.entries.filter(x => BigInt(x.seq) > seq).map(x => x.bytes)
  }
}
