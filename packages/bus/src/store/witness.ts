import { readFile, rename, writeFile } from 'node:fs/promises'
import type { StoreDamage } from '../bus-types.js'

/** The last entry this node signed and stored, as a witness outside the store saw it. */
export interface WitnessRecord {
  authorHex: string
  seq: bigint
  hashHex: string
}

/**
 * A record of this node's own head kept outside the LevelDB store, so that a
 * store that lost entries it had acknowledged (a truncated log: LevelDB reads
 * a cut log as a crash mid-write and says nothing) is noticed on open.
 */
export interface HeadWitness {
  read: () => Promise<WitnessRecord | undefined>
  /** Called after each own write is on disk; may lag behind (it then proves less, never something false). */
  record: (r: WitnessRecord) => void
  /** Resolves once the latest record is written. */
  flush: () => Promise<void>
}

/**
 * What a store is short of, against the witness of this node's own head: nothing (it holds the
 * witnessed head, or more), or the own entries it lost (a cut log) or holds another version of.
 */
export function witnessShortfall (w: WitnessRecord, own: { seq: bigint, hashHex: string } | undefined): StoreDamage | undefined {
  const held = own?.seq ?? 0n
  if (held > w.seq || (held === w.seq && own?.hashHex === w.hashHex)) return undefined
  const lost = Number(w.seq - held)
  return {
    lostOwnEntries: lost,
    relearned: false,
    message: lost > 0
      ? `the store holds this node's chain up to seq ${held}, but entries up to ${w.seq} were acknowledged: ${lost} lost (a cut log?); relearning them from peers before signing again`
      : `the store's entry ${held} of this node's chain is not the one acknowledged; relearning the chain from peers before signing again`
  }
}

const MAX_WITNESS_BYTES = 1024

/**
 * The witness as a small JSON file, replaced by rename. Written after the
 * store's synced write returns, without an fsync of its own: after a crash
 * it is at most as far as the store (it may lag; then it proves less).
 */
export class FileWitness implements HeadWitness {
  private pending?: WitnessRecord
  private writing?: Promise<void>

  constructor (readonly path: string) {}

  async read (): Promise<WitnessRecord | undefined> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
    try {
      if (text.length > MAX_WITNESS_BYTES) return undefined
      const j = JSON.parse(text) as { author?: unknown, seq?: unknown, hash?: unknown }
      if (typeof j.author !== 'string' || typeof j.seq !== 'string' || !/^\d+$/.test(j.seq) || typeof j.hash !== 'string') return undefined
      return { authorHex: j.author, seq: BigInt(j.seq), hashHex: j.hash }
    } catch {
      // a witness torn by a power cut proves nothing
      return undefined
    }
  }

  record (r: WitnessRecord): void {
    this.pending = r
    this.writing ??= this.drain().finally(() => { this.writing = undefined })
  }

  private async drain (): Promise<void> {
    while (this.pending != null) {
      const r = this.pending
      this.pending = undefined
      const tmp = `${this.path}.tmp`
      try {
        await writeFile(tmp, JSON.stringify({ author: r.authorHex, seq: r.seq.toString(), hash: r.hashHex }) + '\n', { mode: 0o600 })
        await rename(tmp, this.path)
      } catch {
        // a full disk: the witness lags, which only makes it prove less
      }
    }
  }

  async flush (): Promise<void> {
    await this.writing
  }
}
