/**
 * The small storage interface the bus is built on: named sections of sorted
 * string keys with byte values, atomic multi-section writes, range scans.
 * LevelDB implements it (level-storage.ts); anything ordered and atomic could.
 */
export type Section = 'meta' | 'entry' | 'chain' | 'head' | 'author' | 'kind' | 'time' | 'fork' | 'memory' | 'session'

export const SECTIONS: Section[] = ['meta', 'entry', 'chain', 'head', 'author', 'kind', 'time', 'fork', 'memory', 'session']

export type WriteOp =
  | { type: 'put', section: Section, key: string, value: Uint8Array }
  | { type: 'del', section: Section, key: string }

export interface Range {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  reverse?: boolean
  limit?: number
}

export interface BusStorage {
  readonly location: string
  open: () => Promise<void>
  close: () => Promise<void>
  get: (section: Section, key: string) => Promise<Uint8Array | undefined>
  getMany: (section: Section, keys: string[]) => Promise<Array<Uint8Array | undefined>>
  /** All ops or none; with `sync` the call returns once the data is on disk. */
  write: (ops: WriteOp[], options: { sync: boolean }) => Promise<void>
  entries: (section: Section, range?: Range) => AsyncIterable<[string, Uint8Array]>
  keys: (section: Section, range?: Range) => AsyncIterable<string>
  clear: (section: Section) => Promise<void>
  /** Bytes used on disk (approximate). */
  size: () => Promise<number>
}
