import assert from 'node:assert/strict'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Bus } from '../src/bus.js'
import { memoryGet, memoryList } from '../src/queries.js'
import { checkStore } from '../src/store/check.js'
import { StoreDamagedError } from '../src/errors.js'
import { LevelStorage } from '../src/store/level-storage.js'
import { FileWitness } from '../src/store/witness.js'
import { Scope, ingestAll, json, makeAuthor, seedOf, signChain, utf8 } from './fixtures.js'
import type { Author } from './fixtures.js'
import type { StoreCheckReport } from '../src/store/check.js'
import type { WriteOp } from '../src/store/storage.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** A store with an own chain of 6 and a peer's chain of 4, closed. */
async function world (a: Author, b: Author): Promise<{ dir: string, witness: string }> {
  const root = await scope.dir()
  const dir = join(root, 'bus')
  const witness = join(root, 'bus-head.json')
  const bus = new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: true, witness: new FileWitness(witness) })
  await bus.open()
  for (let i = 0; i < 6; i++) await bus.append('memory.put', json({ key: `k${i}`, value: i }))
  assert.deepEqual(await ingestAll(bus, await signChain(b, 4)), ['accept', 'accept', 'accept', 'accept'])
  await bus.close()
  return { dir, witness }
}

async function rawWrite (dir: string, ops: WriteOp[]): Promise<void> {
  const s = new LevelStorage(dir)
  await s.open()
  await s.write(ops, { sync: true })
  await s.close()
}

async function firstKey (dir: string, section: 'chain' | 'entry', skip = 0): Promise<[string, Uint8Array]> {
  const s = new LevelStorage(dir)
  await s.open()
  try {
    let i = 0
    for await (const kv of s.entries(section)) if (i++ === skip) return kv
    throw new Error('no such key')
  } finally {
    await s.close()
  }
}

const reopen = async (a: Author, dir: string, witness?: string, checkOnOpen?: boolean): Promise<Bus> => {
  const bus = new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: false, witness: witness != null ? new FileWitness(witness) : undefined, checkOnOpen })
  await bus.open()
  return bus
}

/** How the bus ends its read-back of the store: checked (the report) or damaged (the error). */
async function readBackEnd (bus: Bus): Promise<{ checked?: StoreCheckReport, damaged?: StoreDamagedError }> {
  if (bus.storeCheck != null) return { checked: bus.storeCheck }
  if (bus.storeDamage != null) return { damaged: bus.storeDamage }
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('the read-back did not end within 10 s')) }, 10_000)
    bus.addEventListener('store:checked', (evt) => { clearTimeout(timer); resolve({ checked: evt.detail }) }, { once: true })
    bus.addEventListener('store:damaged', (evt) => { clearTimeout(timer); resolve({ damaged: evt.detail }) }, { once: true })
  })
}

/** The damage the node finds in a store: on open (refused), or by the read-back right after; either way the next open refuses it at once. */
async function damageFound (a: Author, dir: string): Promise<StoreDamagedError> {
  let found: StoreDamagedError
  try {
    const bus = await reopen(a, dir)
    const end = await readBackEnd(bus)
    await bus.close()
    assert.ok(end.damaged != null, `the read-back found the store intact: ${JSON.stringify(end.checked)}`)
    found = end.damaged
  } catch (err) {
    if (!(err instanceof StoreDamagedError)) throw err
    return err
  }
  await assert.rejects(reopen(a, dir), (err: any) => err instanceof StoreDamagedError && err.problem === found.problem, 'the next open refuses the store at once')
  return found
}

describe('a damaged store is found on open or by the read-back right after, never served', () => {
  let a: Author
  let b: Author
  before(async () => { a = await makeAuthor(seedOf(90)); b = await makeAuthor(seedOf(91)) })

  it('an intact store is read back whole while the node runs', async () => {
    const { dir, witness } = await world(a, b)
    const bus = await reopen(a, dir, witness)
    assert.equal((await readBackEnd(bus)).checked?.entries, 10)
    assert.equal(bus.readBack?.status().state, 'done')
    assert.equal(bus.storeCheck?.authors, 2)
    assert.equal(bus.damage, undefined)
    assert.equal(bus.chainConfirmed, true)
    await bus.close()
  })

  it('an entry whose bytes changed is named, never served, and the store refused from then on', async () => {
    const { dir } = await world(a, b)
    // seq 3 of the first chain: neither its first entry nor its head, so the open itself does not read it
    const hash = Buffer.from((await firstKey(dir, 'chain', 2))[1]).toString()
    const raw = await (async () => { const st = new LevelStorage(dir); await st.open(); try { return await st.get('entry', hash) as Uint8Array } finally { await st.close() } })()
    const flipped = Uint8Array.from(raw)
    const at = Math.floor(flipped.byteLength / 2)
    flipped[at] = (flipped[at] as number) ^ 0x10
    await rawWrite(dir, [{ type: 'put', section: 'entry', key: hash, value: flipped }])
    // with the read-back off (to reach it), the damaged bytes are still never passed on or decoded
    const bus = await reopen(a, dir, undefined, false)
    const all = await Promise.allSettled(bus.heads().map(async h => await bus.range(h.authorHex, 1n, 100, Infinity)))
    assert.ok(all.some(r => r.status === 'rejected' && r.reason instanceof StoreDamagedError), 'a range over the damaged entry is refused')
    await assert.rejects(bus.store.entry(hash), (err: any) => err instanceof StoreDamagedError)
    assert.ok(bus.storeDamage != null, 'the read that found it told the bus')
    await bus.close()
    const err = await damageFound(a, dir)
    assert.match(err.message, /hash to|hashes to/)
    assert.match(err.hint, /smesh bus repair/)
  })

  it('a missing chain record, a head that does not match its chain, and a missing entry are named', async () => {
    const cases: Array<{ what: RegExp, damage: (dir: string) => Promise<void> }> = [
      { what: /goes from seq 1 to 3/, damage: async (dir) => { const [k] = await firstKey(dir, 'chain', 1); await rawWrite(dir, [{ type: 'del', section: 'chain', key: k }]) } },
      { what: /head of author .* says seq 2/, damage: async (dir) => { const [k] = await firstKey(dir, 'chain', 0); await rawWrite(dir, [{ type: 'put', section: 'head', key: k.split('/')[0] as string, value: utf8(JSON.stringify({ seq: '2', hash: 'ab'.repeat(32) })) }]) } },
      { what: /is missing/, damage: async (dir) => { const [k] = await firstKey(dir, 'entry', 0); await rawWrite(dir, [{ type: 'del', section: 'entry', key: k }]) } },
      { what: /head record .* not readable/, damage: async (dir) => { const [k] = await firstKey(dir, 'chain', 0); await rawWrite(dir, [{ type: 'put', section: 'head', key: k.split('/')[0] as string, value: utf8('{"seq": "4') }]) } }
    ]
    for (const c of cases) {
      const { dir } = await world(a, b)
      await c.damage(dir)
      assert.match((await damageFound(a, dir)).message, c.what)
    }
  })

  it('a memory view that no longer matches its entry is derived again before it is answered; an index record of no entry is named', async () => {
    const { dir, witness } = await world(a, b)
    const s = new LevelStorage(dir)
    await s.open()
    const v = await s.get('memory', 'k2') as Uint8Array
    const rec = JSON.parse(Buffer.from(v).toString())
    await s.write([{ type: 'put', section: 'memory', key: 'k2', value: utf8(JSON.stringify({ ...rec, value: 'forged' })) }], { sync: true })
    await s.close()
    // with the read-back off: the read itself checks the record against its entry
    const bus = await reopen(a, dir, witness, false)
    assert.equal((await memoryGet(bus, 'k2'))?.value, 2, 'the view says what the entry says')
    await bus.close()
    const again = await reopen(a, dir, witness)
    assert.equal((await readBackEnd(again)).checked?.viewsStale, false, 'derived again for good')
    await again.close()
    // and found by the read-back, with nothing read
    const s2 = new LevelStorage(dir)
    await s2.open()
    await s2.write([{ type: 'put', section: 'memory', key: 'k3', value: utf8(JSON.stringify({ ...rec, value: 'forged' })) }], { sync: true })
    await s2.close()
    const third = await reopen(a, dir, witness)
    assert.equal((await readBackEnd(third)).checked?.viewsStale, true)
    assert.equal((await memoryList(third, 'k3'))[0]?.value, 3)
    await third.close()
    await rawWrite(dir, [{ type: 'put', section: 'time', key: `0000/${'ef'.repeat(32)}`, value: new Uint8Array() }])
    assert.match((await damageFound(a, dir)).message, /time index holds a record of no entry/)
  })

  it('the read-back of a store in use takes what is written meanwhile for no damage', async () => {
    const { dir, witness } = await world(a, b)
    const bus = await reopen(a, dir, witness, false)
    // a third author, first heard of while the read-back runs (its head is written after the heads were read)
    const more = await signChain(await makeAuthor(seedOf(92)), 12)
    let i = 0
    // between every two batches (of one entry here): an own append and a peer's entry, with their heads and index records
    const report = await checkStore(bus.store.storage, {
      live: true,
      pace: async () => {
        await bus.append('memory.put', json({ key: `live${i}`, value: i }))
        if (i < more.length) assert.equal((await bus.ingest((more[i++] as { bytes: Uint8Array }).bytes)).result, 'accept')
      },
      batch: 1
    })
    assert.equal(report.viewsStale, false)
    assert.ok(report.entries >= 10)
    await bus.close()
    // the same store, not live: every record written meanwhile is whole
    const bus2 = await reopen(a, dir, witness)
    assert.ok((await readBackEnd(bus2)).checked != null)
    await bus2.close()
  })

  it('an author first heard of between the heads and the chain scan, whose chain grows during the read-back, is no damage', async () => {
    const { dir, witness } = await world(a, b)
    const bus = await reopen(a, dir, witness, false)
    const more = await signChain(await makeAuthor(seedOf(93)), 6)
    const storage = bus.store.storage
    let injected = false
    // the store as the read-back sees it: its first entry lands right before the chain scan starts
    const seen: typeof storage = Object.create(storage)
    seen.entries = (section, range) => {
      if (section !== 'chain' || injected) return storage.entries(section, range)
      injected = true
      return (async function * () {
        assert.equal((await bus.ingest((more[0] as { bytes: Uint8Array }).bytes)).result, 'accept')
        yield * storage.entries(section, range)
      })()
    }
    let i = 1
    const report = await checkStore(seen, {
      live: true,
      batch: 1,
      pace: async () => { if (i < more.length) assert.equal((await bus.ingest((more[i++] as { bytes: Uint8Array }).bytes)).result, 'accept') }
    })
    assert.equal(report.authors, 3)
    await bus.close()
  })

  it('an entry missing from a chain is never served as the chain\'s end', async () => {
    const { dir, witness } = await world(a, b)
    const hash = Buffer.from((await firstKey(dir, 'chain', 2))[1]).toString()
    await rawWrite(dir, [{ type: 'del', section: 'entry', key: hash }])
    const bus = await reopen(a, dir, witness, false)
    const all = await Promise.allSettled(bus.heads().map(async h => await bus.range(h.authorHex, 1n, 100, Infinity)))
    assert.ok(all.some(r => r.status === 'rejected' && r.reason instanceof StoreDamagedError && /is missing/.test(r.reason.message)), 'a range over the missing entry is refused')
    await bus.close()
  })

  it('a memory record damaged on disk does not stop a write to its key, and the views are derived again', async () => {
    const { dir, witness } = await world(a, b)
    await rawWrite(dir, [{ type: 'put', section: 'memory', key: 'k1', value: utf8('{"value": 1, "ms"') }])
    const bus = await reopen(a, dir, witness, false)
    const e = await bus.append('memory.put', json({ key: 'k1', value: 'new' }))
    assert.equal(e.seq, 7n)
    await bus.viewsSettled()
    assert.equal((await memoryGet(bus, 'k1')).value, 'new')
    assert.equal((await memoryGet(bus, 'k2')).value, 2)
    await bus.close()
  })

  it('a rebuild of the views cut off by a crash, over a damaged entry, refuses the open and closes the store again', async () => {
    const { dir, witness } = await world(a, b)
    const hash = Buffer.from((await firstKey(dir, 'chain', 2))[1]).toString()
    await rawWrite(dir, [{ type: 'del', section: 'entry', key: hash }, { type: 'put', section: 'meta', key: 'viewsDirty', value: utf8('1') }])
    await assert.rejects(reopen(a, dir, witness, false), (err: any) => err instanceof StoreDamagedError && /is missing/.test(err.message))
    // the store's lock is free again: it opens (and refuses again, for the same reason)
    await assert.rejects(reopen(a, dir, witness, false), (err: any) => err instanceof StoreDamagedError)
  })

  it('a store without its CURRENT file is refused, and left as it was', async () => {
    const { dir } = await world(a, b)
    await rm(join(dir, 'CURRENT'))
    const files = (await readdir(dir)).sort()
    await assert.rejects(reopen(a, dir), (err: any) => err instanceof StoreDamagedError && /CURRENT file is missing/.test(err.message))
    assert.deepEqual((await readdir(dir)).sort(), files, 'no file created, none deleted')
  })

  it('a store short of the own entries its witness saw acknowledged stops signing until a peer gives them back', async () => {
    const { dir, witness } = await world(a, b)
    // the witness says seq 9 was acknowledged; the store holds 6 (its log was cut)
    const bus0 = await reopen(a, dir, witness)
    const head = bus0.head(bus0.authorHex)
    await bus0.close()
    await writeFile(witness, JSON.stringify({ author: bus0.authorHex, seq: '9', hash: 'cd'.repeat(32) }))
    const bus = new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: false, witness: new FileWitness(witness), confirmTimeoutMs: 200 })
    await bus.open()
    assert.equal(bus.damage?.lostOwnEntries, 3)
    assert.match(bus.damage?.message ?? '', /up to seq 6, but entries up to 9 were acknowledged: 3 lost/)
    assert.equal(bus.chainConfirmed, false)
    await assert.rejects(bus.append('memory.put', json({ key: 'x', value: 1 })), (err: any) => err.name === 'ChainUnconfirmedError')
    assert.equal(bus.head(bus.authorHex)?.seq, head?.seq, 'nothing signed')
    await bus.close()
    // a witness behind the store (a crash before it was written) proves nothing wrong
    await writeFile(witness, JSON.stringify({ author: bus0.authorHex, seq: '4', hash: 'cd'.repeat(32) }))
    const fine = await reopen(a, dir, witness)
    assert.equal(fine.damage, undefined)
    await fine.close()
  })

  it('after a cut log the node confirms its chain only once peers gave back all it acknowledged; SMESH_BUS_NEW_CHAIN overrides', async () => {
    // nine own entries, acknowledged (the witness saw seq 9); a store that holds only the first six of them
    const root = await scope.dir()
    const witness = join(root, 'bus-head.json')
    const full = new Bus({ storage: new LevelStorage(join(root, 'full')), signer: a.signer, binding: a.binding, identityCreated: true, witness: new FileWitness(witness) })
    await full.open()
    for (let i = 0; i < 9; i++) await full.append('memory.put', json({ key: `c${i}`, value: i }))
    const raws = await full.range(full.authorHex, 1n, 100, Infinity)
    await full.close()
    const cut = join(root, 'cut')
    const seed = new Bus({ storage: new LevelStorage(cut), signer: a.signer, binding: a.binding, identityCreated: true })
    await seed.open()
    for (const r of raws.slice(0, 6)) assert.equal((await seed.ingest(r)).result, 'accept')
    await seed.close()

    const bus = new Bus({ storage: new LevelStorage(cut), signer: a.signer, binding: a.binding, identityCreated: false, witness: new FileWitness(witness), confirmTimeoutMs: 200 })
    await bus.open()
    assert.equal(bus.damage?.lostOwnEntries, 3)
    // a peer that gives back only two of the three: not yet
    for (const r of raws.slice(6, 8)) assert.equal((await bus.ingest(r)).result, 'accept')
    await bus.confirmOwnChain()
    assert.equal(bus.chainConfirmed, false, 'seq 9 was acknowledged and is still missing')
    await assert.rejects(bus.append('memory.put', json({ key: 'x', value: 1 })), (err: any) => err.name === 'ChainUnconfirmedError')
    assert.equal((await bus.ingest(raws[8] as Uint8Array)).result, 'accept')
    await bus.confirmOwnChain()
    assert.equal(bus.chainConfirmed, true)
    assert.equal(bus.damage?.relearned, true)
    assert.equal((await bus.append('memory.put', json({ key: 'x', value: 1 }))).seq, 10n, 'the chain continues after what was acknowledged: no seq signed twice')
    await bus.close()

    // the operator's override: start a chain from what the store holds, whatever the witness says
    await writeFile(witness, JSON.stringify({ author: bus.authorHex, seq: '50', hash: 'cd'.repeat(32) }))
    const forced = new Bus({ storage: new LevelStorage(cut), signer: a.signer, binding: a.binding, identityCreated: false, newChain: true, witness: new FileWitness(witness) })
    await forced.open()
    assert.equal(forced.damage, undefined)
    assert.equal(forced.chainConfirmed, true)
    await forced.close()
  })

  it('closing drops the gossip entries still waiting, with BusStoppedError, and writes nothing after', async () => {
    const root = await scope.dir()
    const bus = new Bus({ storage: new LevelStorage(join(root, 'bus')), signer: a.signer, binding: a.binding, identityCreated: true })
    await bus.open()
    const results = (await signChain(b, 30)).map(async e => await bus.ingest(e.bytes).then(r => r.result, (err: any) => err.name as string))
    await bus.close()
    const got = await Promise.all(results)
    assert.ok(got.every(r => r === 'accept' || r === 'BusStoppedError'), got.join(','))
    assert.ok(got.includes('BusStoppedError'))
    await assert.rejects(bus.ingest((await signChain(b, 1))[0]?.bytes as Uint8Array), (err: any) => err.name === 'BusStoppedError')
  })

  it('the witness follows every own write', async () => {
    const { dir, witness } = await world(a, b)
    const bus = await reopen(a, dir, witness)
    const e = await bus.append('memory.put', json({ key: 'w', value: 1 }))
    await bus.close()
    const r = await new FileWitness(witness).read()
    assert.equal(r?.seq, e.seq)
    assert.equal(r?.hashHex, e.hashHex)
  })
})
