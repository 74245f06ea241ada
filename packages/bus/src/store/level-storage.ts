import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { StorageFullError, StoreDamagedError, StoreOpenError } from '../errors.js'
import { SECTIONS } from './storage.js'
import type { BusStorage, Range, Section, WriteOp } from './storage.js'

/** LevelDB memtable size. */
const WRITE_BUFFER_BYTES = 32 * 1024 * 1024
/**
 * Table files LevelDB keeps open (and mapped: each open table's pages read count in the node's RSS).
 * LevelDB's default of 1,000 holds about 2 GB of a large bus mapped after the read-back (100,000
 * entries: RSS 546 MiB); 128 keeps 161 MiB there, and a read of a table not open costs its open.
 */
const MAX_OPEN_FILES = 128
/** How long a sum of the files' sizes is answered again. */
const SIZE_TTL_MS = 1000

type Sub = ReturnType<Level<string, Uint8Array>['sublevel']>

/** LevelDB (classic-level through `level`), one sublevel per section. */
export class LevelStorage implements BusStorage {
  private db!: Level<string, Uint8Array>
  private sized?: { at: number, bytes: Promise<number> }
  private subs!: Record<Section, Sub>

  constructor (readonly location: string) {}

  async open (): Promise<void> {
    // without CURRENT, LevelDB takes the directory for a new store and, in time, deletes the tables it does not know
    // (a store whose creation was cut off before CURRENT holds no table and no written log: it is made again)
    const names = await readdir(this.location).catch(() => [] as string[])
    const data = await Promise.all(names.filter(n => /\.(ldb|sst|log)$/.test(n)).map(async n => await stat(join(this.location, n)).then(s => s.size > 0, () => false)))
    if (!names.includes('CURRENT') && data.some(Boolean)) {
      throw new StoreDamagedError(this.location, 'its CURRENT file is missing, though its tables and logs are there')
    }
    // made only now: a Level opens itself (creating what is missing) as soon as it is made
    // a larger write buffer: a catch-up writes tens of MB, and LevelDB's default 4 MB memtable
    // flushes so often that level-0 compactions stall the writes
    this.db = new Level<string, Uint8Array>(this.location, { keyEncoding: 'utf8', valueEncoding: 'view', writeBufferSize: WRITE_BUFFER_BYTES, maxOpenFiles: MAX_OPEN_FILES } as any)
    this.subs = Object.fromEntries(SECTIONS.map(s => [s, this.db.sublevel<string, Uint8Array>(s, { keyEncoding: 'utf8', valueEncoding: 'view' })])) as Record<Section, Sub>
    try {
      await this.db.open({ createIfMissing: true })
    } catch (err: any) {
      const cause = err?.cause ?? err
      if (/corrupt/i.test(String(cause?.message))) throw new StoreDamagedError(this.location, String(cause.message), { cause })
      throw new StoreOpenError(this.location, { cause })
    }
  }

  async close (): Promise<void> {
    if ((this.db as Level<string, Uint8Array> | undefined) == null) return
    await this.db.close()
  }

  async get (section: Section, key: string): Promise<Uint8Array | undefined> {
    return await this.subs[section].get(key) as Uint8Array | undefined
  }

  async getMany (section: Section, keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return await this.subs[section].getMany(keys) as Array<Uint8Array | undefined>
  }

  async write (ops: WriteOp[], options: { sync: boolean }): Promise<void> {
    if (ops.length === 0) return
    try {
      await this.db.batch(ops.map(op => op.type === 'put'
        ? { type: 'put' as const, sublevel: this.subs[op.section], key: op.key, value: op.value }
        : { type: 'del' as const, sublevel: this.subs[op.section], key: op.key }), { sync: options.sync })
    } catch (err: any) {
      // a failed batch is not applied: the store holds what it held before
      if (/No space left|ENOSPC|Disk quota/i.test(`${String(err?.message)} ${String(err?.cause?.message)}`)) throw new StorageFullError(this.location, { cause: err })
      throw err
    }
  }

  async * entries (section: Section, range: Range = {}): AsyncIterable<[string, Uint8Array]> {
    for await (const kv of this.subs[section].iterator({ ...range, limit: range.limit ?? -1 })) yield kv as [string, Uint8Array]
  }

  async * keys (section: Section, range: Range = {}): AsyncIterable<string> {
    for await (const k of this.subs[section].keys({ ...range, limit: range.limit ?? -1 })) yield k
  }

  async clear (section: Section): Promise<void> {
    await this.subs[section].clear()
  }

  /** Bytes on disk; summed at most once a second (a bus of a million entries has about 2,000 table files). */
  async size (): Promise<number> {
    if (this.sized != null && performance.now() - this.sized.at < SIZE_TTL_MS) return await this.sized.bytes
    const bytes = this.sumFileSizes()
    this.sized = { at: performance.now(), bytes }
    return await bytes.catch((err: unknown) => {
      this.sized = undefined
      throw err
    })
  }

  private async sumFileSizes (): Promise<number> {
    // a compaction deletes tables as it goes: one listed and gone by its stat counts nothing
    const sizes = await Promise.all((await readdir(this.location)).map(async name => await stat(join(this.location, name)).then(s => s.size, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return 0
      throw err
    })))
    return sizes.reduce((a, b) => a + b, 0)
  }
}
