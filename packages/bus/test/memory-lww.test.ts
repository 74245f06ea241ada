import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { memoryList } from '../src/queries.js'
import { Scope, T0, json, makeAuthor, seedOf, signNext } from './fixtures.js'
import type { Bus } from '../src/bus.js'
import type { BusEntry } from '../src/entry.js'
import type { MemoryRecord } from '../src/views.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

interface Op { del: boolean, key: string, value: unknown, ms: number, counter: number }

// few keys and close clocks, so that writes collide, tie on the HLC and are decided by author or hash
const opArb: fc.Arbitrary<Op> = fc.record({
  del: fc.boolean(),
  key: fc.constantFrom('k/a', 'k/b', 'k/c'),
  value: fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 })),
  ms: fc.integer({ min: 0, max: 1 }),
  counter: fc.integer({ min: 0, max: 1 })
})

async function signOps (a: Author, ops: Op[]): Promise<BusEntry[]> {
  const out: BusEntry[] = []
  // an author's clock only goes forward along its chain; two authors' entries still tie on the HLC
  for (const [i, op] of ops.entries()) {
    out.push(await signNext(a, out[out.length - 1], {
      kind: op.del ? 'memory.del' : 'memory.put',
      body: json(op.del ? { key: op.key } : { key: op.key, value: op.value }),
      hlc: { ms: BigInt(T0 + 2 * i + op.ms), counter: op.counter }
    }))
  }
  return out
}

/** The expected view, computed independently: per key the write with the greatest (ms, counter, author, hash). */
function model (entries: BusEntry[]): Array<{ key: string, value: unknown, author: string, hash: string }> {
  const win = new Map<string, BusEntry>()
  const rank = (e: BusEntry): [bigint, number, string, string] => [e.hlc.ms, e.hlc.counter, e.authorHex, e.hashHex]
  const greater = (x: BusEntry, y: BusEntry): boolean => {
    const [p, q] = [rank(x), rank(y)]
    for (let i = 0; i < 4; i++) if (p[i] !== q[i]) return (p[i] as any) > (q[i] as any)
    return false
  }
  for (const e of entries) {
    const key = JSON.parse(new TextDecoder().decode(e.entry.body)).key as string
    const cur = win.get(key)
    if (cur == null || greater(e, cur)) win.set(key, e)
  }
  return [...win.entries()].filter(([, e]) => e.entry.kind === 'memory.put').sort(([x], [y]) => x < y ? -1 : 1)
    .map(([key, e]) => ({ key, value: JSON.parse(new TextDecoder().decode(e.entry.body)).value, author: e.authorHex, hash: e.hashHex }))
}

/** Every record of the memory view, tombstones included. */
async function rawView (bus: Bus): Promise<Array<[string, MemoryRecord]>> {
  const out: Array<[string, MemoryRecord]> = []
  for await (const [k, v] of bus.store.memoryRecords('')) out.push([k, JSON.parse(new TextDecoder().decode(v))])
  return out
}

function permute <T> (items: T[], keys: number[]): T[] {
  return items.map((item, i) => ({ item, k: keys[i % keys.length] as number, i })).sort((x, y) => x.k - y.k || x.i - y.i).map(x => x.item)
}

describe('memory view: last writer wins, on every node alike', () => {
  let writers: Author[]
  let reader: Author
  before(async () => {
    writers = await Promise.all([40, 41, 42].map(async s => await makeAuthor(seedOf(s))))
    reader = await makeAuthor(seedOf(43))
  })

  it('the same memory.put/del entries applied in any order (gossip out of order, sync runs, a rebuild) give identical views', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(opArb, { maxLength: 6 }), { minLength: 2, maxLength: 3 }),
      fc.array(fc.integer(), { minLength: 18, maxLength: 18 }),
      fc.array(fc.integer(), { minLength: 18, maxLength: 18 }),
      async (perAuthor, order1, order2) => {
        const chains = await Promise.all(perAuthor.map(async (ops, i) => await signOps(writers[i] as Author, ops)))
        const all = chains.flat()
        const run = new Scope()
        try {
          const [g1, g2, s] = [await run.bus(reader), await run.bus(reader), await run.bus(reader)]
          // two nodes hear the entries by gossip in different orders: gaps are held, then filled
          for (const [bus, order] of [[g1, order1], [g2, order2]] as Array<[Bus, number[]]>) {
            for (const e of permute(all, order)) {
              const r = await bus.ingest(e.bytes)
              assert.notEqual(r.result, 'reject')
            }
          }
          // a third gets each chain in one sync run, last author first
          for (const c of [...chains].reverse()) if (c.length > 0) await s.ingestRun(c.map(e => e.bytes))
          const expected = model(all)
          for (const bus of [g1, g2, s]) {
            assert.deepEqual(bus.heads().map(h => h.seq).sort(), chains.filter(c => c.length > 0).map(c => BigInt(c.length)).sort())
            const list = await memoryList(bus)
            assert.deepEqual(list.map(m => ({ key: m.key, value: m.value, author: m.author, hash: m.hash })), expected)
          }
          const raw = await rawView(g1)
          assert.deepEqual(await rawView(g2), raw)
          assert.deepEqual(await rawView(s), raw)
          // rebuilding the views from the chains (in chain order) gives the same view again
          assert.equal(await g2.rebuildViews(), all.length)
          assert.deepEqual(await rawView(g2), raw)
        } finally {
          await run.cleanup()
        }
      }), { numRuns: 25 })
  })
})
