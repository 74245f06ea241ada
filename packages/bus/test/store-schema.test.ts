import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Bus } from '../src/bus.js'
import { LevelStorage } from '../src/store/level-storage.js'
import { BusStore, SCHEMA_VERSION } from '../src/store/store.js'
import { Scope, json, makeAuthor, seedOf, utf8 } from './fixtures.js'
import type { Section } from '../src/store/storage.js'
import type { Author } from './fixtures.js'

const scope = new Scope()
after(async () => { await scope.cleanup() })

/** Every key and value of the store, read with LevelStorage directly. */
async function dump (dir: string): Promise<Array<[string, string]>> {
  const s = new LevelStorage(dir)
  await s.open()
  try {
    const out: Array<[string, string]> = []
    for (const section of ['meta', 'entry', 'chain', 'head', 'author', 'memory'] as Section[]) {
      for await (const [k, v] of s.entries(section)) out.push([`${section}:${k}`, Buffer.from(v).toString('hex')])
    }
    return out
  } finally {
    await s.close()
  }
}

describe('store schema', () => {
  let a: Author
  before(async () => { a = await makeAuthor(seedOf(70)) })

  it('a new store gets the current schema; reopening it is fine', async () => {
    const dir = join(await scope.dir(), 'bus')
    const store = new BusStore(new LevelStorage(dir))
    assert.deepEqual(await store.open(), { created: true })
    assert.equal(await store.getMeta('schema'), String(SCHEMA_VERSION))
    await store.close()
    const again = new BusStore(new LevelStorage(dir))
    assert.deepEqual(await again.open(), { created: false })
    await again.close()
  })

  it('a store of another schema version is refused with StoreSchemaError, and nothing in it is changed', async () => {
    const dir = join(await scope.dir(), 'bus')
    const bus = await scope.bus(a, { dir })
    await bus.append('memory.put', json({ key: 'k', value: 1 }))
    await bus.close()
    const raw = new LevelStorage(dir)
    await raw.open()
    await raw.write([{ type: 'put', section: 'meta', key: 'schema', value: utf8('2') }], { sync: true })
    await raw.close()
    const before = await dump(dir)

    await assert.rejects(new BusStore(new LevelStorage(dir)).open(), (err: any) => {
      assert.equal(err.name, 'StoreSchemaError')
      assert.equal(err.path, dir)
      assert.equal(err.exitCode, 78)
      assert.match(err.message, /schema version 2/)
      assert.match(err.hint, /nothing was changed/)
      return true
    })
    // through the Bus as well, with a bogus non-numeric version
    const bogus = new LevelStorage(dir)
    await bogus.open()
    await bogus.write([{ type: 'put', section: 'meta', key: 'schema', value: utf8('banana') }], { sync: true })
    await bogus.close()
    const before2 = await dump(dir)
    await assert.rejects(new Bus({ storage: new LevelStorage(dir), signer: a.signer, binding: a.binding, identityCreated: true }).open(), { name: 'StoreSchemaError' })
    // the refused store was closed (LevelDB's lock released) and is byte for byte what it was
    assert.deepEqual(await dump(dir), before2)
    assert.deepEqual(before2.filter(([k]) => k !== 'meta:schema'), before.filter(([k]) => k !== 'meta:schema'))
  })

  it('a store with entries but no schema key is refused too', async () => {
    const dir = join(await scope.dir(), 'bus')
    const raw = new LevelStorage(dir)
    await raw.open()
    await raw.write([{ type: 'put', section: 'entry', key: 'ab'.repeat(32), value: new Uint8Array([1, 2, 3]) }], { sync: true })
    await raw.close()
    const before = await dump(dir)
    await assert.rejects(new BusStore(new LevelStorage(dir)).open(), (err: any) => err.name === 'StoreSchemaError' && /schema version none/.test(err.message))
    assert.deepEqual(await dump(dir), before)
  })

  it('a store that another process holds open is refused with StoreOpenError', async () => {
    const dir = join(await scope.dir(), 'bus')
    const holder = new LevelStorage(dir)
    await holder.open()
    try {
      await assert.rejects(new BusStore(new LevelStorage(dir)).open(), { name: 'StoreOpenError' })
    } finally {
      await holder.close()
    }
  })
})
