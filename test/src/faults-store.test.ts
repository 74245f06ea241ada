import assert from 'node:assert/strict'
import { cp, open, readdir, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { SmeshProcess, runCli, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
const TRIALS = 6

/**
 * Matrix row 6: the files of a stopped node's store damaged as a failing
 * disk would: its log cut, bytes flipped in a table file, CURRENT gone. Each
 * is found when the node opens the store or by its read-back of the whole
 * store right after (then the node stops), and the node either refuses to
 * run on it (naming the damage and `smesh bus repair`) or relearns what it
 * lost from its peer before it signs again. Its peer never takes a damaged or
 * forked entry.
 */
describe('reliability matrix: a damaged store', { timeout: 300_000 }, () => {
  const procs: SmeshProcess[] = []
  after(async () => { await Promise.all(procs.map(async p => { await p.stop() })) })
  const start = async (name: string, dataDir?: string, peers: string[] = [], join?: string): Promise<SmeshProcess> => {
    const p = await SmeshProcess.start({ name, dataDir, join, args: [...LOOPBACK, ...peers.flatMap(a => ['--peer', a])] })
    procs.push(p)
    return p
  }
  const addr = async (p: SmeshProcess): Promise<string> => (await p.id()).listenAddrs[0] as string
  const sameHeads = async (a: SmeshProcess, b: SmeshProcess): Promise<boolean> => {
    const [x, y] = await Promise.all([a.headsKey(), b.headsKey()])
    return x !== '' && x === y
  }
  const write = async (p: SmeshProcess, prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await p.memorySet(`${prefix}/${i}`, `value ${i} `.padEnd(300, '.'))
  }
  /** The node's read-back of its whole store found it intact (it runs after the start, in the background). */
  const readBackDone = async (p: SmeshProcess, exited: () => boolean): Promise<void> => {
    while (!exited()) {
      const s = await p.api<{ store: { readBack: { state: string } | null } }>('/v1/bus/status').catch(() => undefined)
      if (s?.store.readBack?.state === 'done') return
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  /** Starts a node that must refuse its store: exit code and what it printed. */
  const refuses = async (dataDir: string, peers: string[]): Promise<{ code: number | null, stderr: string }> => {
    const p = await SmeshProcess.start({ name: 'victim', dataDir, waitReady: false, args: [...LOOPBACK, ...peers.flatMap(a => ['--peer', a])] })
    procs.push(p)
    // it exits (refused on open, or stopped by its read-back of the store), or it comes up and reads its store back intact (then the caller checks what it holds)
    const never = async (): Promise<never> => await new Promise<never>(() => {})
    let exited = false
    const exit = p.waitExit(30_000).finally(() => { exited = true })
    const { code } = await Promise.race([exit, p.ready().then(async () => { await readBackDone(p, () => exited); return exited ? await never() : { code: null } }, never)])
    return { code, stderr: p.stderr }
  }
  /** The peer's view of the victim's chain holds no fork, and the victim continues it where it ended. */
  const continues = async (victim: SmeshProcess, keeper: SmeshProcess, author: string): Promise<void> => {
    const before = (await keeper.heads()).find(h => h.author === author)
    const e = await victim.memorySet('after/repair', 'continued')
    assert.equal(e.seq, String(Number(before?.seq) + 1), 'the victim signs the seq after the last one its peer holds')
    await waitFor(async () => (await keeper.heads()).find(h => h.author === author)?.seq === e.seq, { timeoutMs: 10_000, what: 'the keeper to take the next entry' })
    assert.equal((await keeper.heads()).find(h => h.author === author)?.forked, false, 'no self-fork')
    const v = await keeper.cli(['bus', 'verify', '--json'])
    assert.equal(v.code, 0, v.stdout)
  }

  it('row 6: a cut log, flipped bytes in a table file, a missing CURRENT: found on open or by the read-back every time; a repair relearns from the peer; 0 damaged entries served', async (t) => {
    const keeper = await start('keeper')
    const victim = await start('victim', undefined, [await addr(keeper)], await keeper.invite())
    const author = (await victim.api<{ author: string }>('/v1/bus/status')).author
    await write(victim, 'v', 40)
    await write(keeper, 'k', 10)
    await waitFor(async () => await sameHeads(victim, keeper), { timeoutMs: 15_000, what: 'both nodes to hold both chains' })
    const full = await keeper.headsKey()
    const dir = victim.dataDir
    const bus = join(dir, 'bus')

    // 1. the log cut: killed with its last writes only in the log, which is then cut in half
    victim.kill('SIGKILL')
    await victim.waitExit()
    const logs = (await readdir(bus)).filter(n => n.endsWith('.log'))
    const sizes = await Promise.all(logs.map(async n => ({ n, size: (await stat(join(bus, n))).size })))
    const log = sizes.sort((x, y) => y.size - x.size)[0]
    assert.ok(log != null && log.size > 10_000, 'the writes are in the log')
    await truncate(join(bus, log.n), Math.floor(log.size / 2))
    const back = await start('victim', dir, [await addr(keeper)])
    const s = await back.api<{ store: { damage: { lostOwnEntries: number } | null }, chainConfirmed: boolean }>('/v1/bus/status')
    t.diagnostic(`cut log: ${JSON.stringify(s.store)}`)
    assert.ok((s.store.damage?.lostOwnEntries ?? 0) > 0, 'the lost own entries are found on open')
    assert.match(back.stdout + back.stderr, /bus:damaged/)
    await waitFor(async () => await back.headsKey() === full, { timeoutMs: 20_000, what: 'the victim to relearn what the cut log lost' })
    await continues(back, keeper, author)
    await back.stop()

    // 2. flipped bytes in a table file: each trial a copy of the stopped store, 8 bytes flipped at random in its largest table
    const clean = tempDir('smesh-store-clean')
    await cp(dir, clean, { recursive: true })
    const tables = (await readdir(join(clean, 'bus'))).filter(n => n.endsWith('.ldb'))
    assert.ok(tables.length > 0, 'the store has table files')
    const results: string[] = []
    const kv = async (p: SmeshProcess): Promise<string> => JSON.stringify((await p.memory()).map(i => [i.key, i.value]))
    const expected = { heads: await keeper.headsKey(), memory: await kv(keeper) }
    for (let trial = 0; trial < TRIALS; trial++) {
      const copy = tempDir('smesh-store-flip')
      await cp(clean, copy, { recursive: true })
      const sized = await Promise.all(tables.map(async n => ({ n, size: (await stat(join(copy, 'bus', n))).size })))
      const table = sized.sort((x, y) => y.size - x.size)[0] as { n: string, size: number }
      const fh = await open(join(copy, 'bus', table.n), 'r+')
      for (let i = 0; i < 8; i++) {
        const at = Math.floor(Math.random() * (table.size - 64))
        const b = Buffer.alloc(1)
        await fh.read(b, 0, 1, at)
        b[0] = (b[0] as number) ^ (1 << Math.floor(Math.random() * 8))
        await fh.write(b, 0, 1, at)
      }
      await fh.close()
      const r = await refuses(copy, [])
      if (r.code === 74) {
        assert.match(r.stderr, /the bus store at .* is damaged/)
        assert.match(r.stderr, /smesh bus repair/)
        results.push('refused')
      } else {
        // started: then every byte it holds must be what it held (the flips hit nothing it reads)
        const p = procs[procs.length - 1] as SmeshProcess
        assert.equal(r.code, null, `the node neither refused (74) nor ran: ${r.stderr.slice(-500)}`)
        assert.equal(await p.headsKey(), expected.heads, 'the same chains')
        assert.equal(await kv(p), expected.memory, 'the same memory')
        const v = await p.cli(['bus', 'verify', '--all', '--json'])
        assert.equal(v.code, 0, v.stdout)
        results.push('intact')
        await p.stop()
      }
      await rm(copy, { recursive: true, force: true })
    }
    t.diagnostic(`flipped table bytes, ${TRIALS} trials: ${results.join(', ')}`)
    assert.ok(results.includes('refused'), 'flips in a table are found')

    // 3. CURRENT gone: refused, nothing changed; `smesh bus repair` moves it aside and the node relearns everything
    await rm(join(bus, 'CURRENT'))
    const listing = (await readdir(bus)).sort()
    const refused = await refuses(dir, [await addr(keeper)])
    assert.equal(refused.code, 74, refused.stderr)
    assert.match(refused.stderr, /CURRENT file is missing/)
    assert.match(refused.stderr, /hint: .*smesh bus repair/)
    assert.deepEqual((await readdir(bus)).sort(), listing, 'the damaged store was left as it was')
    const repair = await runCli(['bus', 'repair', '--data-dir', dir, '--json'])
    assert.equal(repair.code, 0, repair.stderr)
    const moved = JSON.parse(repair.stdout).movedTo as string
    assert.deepEqual((await readdir(moved)).sort(), listing, 'moved aside whole, nothing deleted')
    const repaired = await start('victim', dir, [await addr(keeper)])
    await waitFor(async () => await repaired.headsKey() === await keeper.headsKey(), { timeoutMs: 20_000, what: 'the repaired node to relearn the whole bus' })
    await continues(repaired, keeper, author)
    // the keeper took nothing damaged: its store reads back whole, every signature checked
    const all = await keeper.cli(['bus', 'verify', '--all', '--json'])
    assert.equal(all.code, 0, all.stdout)
  })
})
