import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { runCli, SmeshProcess, waitFor } from './harness/smesh-process.js'
import type { EntryView } from '@smesh/bus'

/**
 * The bus between real node processes in the host namespace: discovery off,
 * static peers on 127.0.0.1 (no root needed).
 */
describe('memory bus over loopback peers', { timeout: 300_000 }, () => {
  const procs: SmeshProcess[] = []
  // every test's nodes stop with it, passed or failed: a node left running would be the next test's mesh
  afterEach(async () => { await Promise.all(procs.splice(0).map(async p => { await p.stop() })) })
  let root: SmeshProcess | undefined
  /** A new node makes a mesh, or joins the mesh of the last one that made one while that one runs. */
  const start = async (name: string, peers: string[] = [], dataDir?: string, env?: NodeJS.ProcessEnv): Promise<SmeshProcess> => {
    const join = root?.running === true && dataDir == null ? await root.invite() : undefined
    const p = await SmeshProcess.start({ name, dataDir, env, join, args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...peers.flatMap(a => ['--peer', a])] })
    procs.push(p)
    if (join == null && dataDir == null) root = p
    return p
  }
  const addr = async (p: SmeshProcess): Promise<string> => (await p.id()).listenAddrs[0] as string
  const sameHeads = async (a: SmeshProcess, b: SmeshProcess): Promise<boolean> => {
    const [x, y] = await Promise.all([a.headsKey(), b.headsKey()])
    return x !== '' && x === y
  }
  /** Writes n entries with `concurrency` requests in flight; returns what the node confirmed. */
  const burst = async (p: SmeshProcess, prefix: string, n: number, concurrency = 32): Promise<EntryView[]> => {
    const done: EntryView[] = []
    let next = 0
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++
        done.push(await p.memorySet(`${prefix}/${i}`, `value ${i} `.padEnd(200, '.')))
      }
    }))
    return done
  }

  it('a node offline while 1,000 entries are written catches up when it returns; a fresh node gets the whole bus', async (t) => {
    const a = await start('writer')
    const aId = (await a.id()).peerId
    const b = await start('returning', [await addr(a)])
    await burst(a, 'before', 10)
    await burst(b, 'from-b', 5)
    await waitFor(async () => await sameHeads(a, b), { timeoutMs: 10_000, what: 'a and b to hold the same chains' })

    await b.stop()
    await burst(a, 'while-away', 1000, 48)
    // 1,010 writes and the lease a signed for b when b joined
    assert.equal((await a.heads()).find(h => h.peerId === 'self')?.seq, '1011')

    const back = Date.now()
    const b2 = await start('returning', [await addr(a)], b.dataDir)
    await waitFor(async () => await sameHeads(a, b2), { timeoutMs: 30_000, intervalMs: 50, what: 'the returning node to catch up on 1,000 entries' })
    t.diagnostic(`caught up on 1,000 entries ${Date.now() - back} ms after its restart (process start included)`)
    // gossipsub's repair handed b2 the writer's last seconds of gossip at once, over the rate limit:
    // dropped (the sync brought it), and not held against the writer
    const seen = (await b2.api<{ peers: Array<{ peer: string, score: number | null }> }>('/v1/bus/status')).peers.find(p => p.peer === aId)
    assert.ok(seen != null && (seen.score ?? 0) >= 0, `the writer's score on the returning node: ${String(seen?.score)}`)
    assert.ok((await b2.peers()).some(p => p.peerId === aId && p.connected), 'the returning node did not cut the writer off')

    const fresh = await start('fresh', [await addr(a)])
    await waitFor(async () => await sameHeads(a, fresh), { timeoutMs: 30_000, intervalMs: 50, what: 'a node with an empty data dir to get the whole bus' })
    const strip = (items: Array<{ key: string, value: unknown, hash: string }>): string => JSON.stringify(items.map(i => [i.key, i.value, i.hash]))
    assert.equal(strip(await fresh.memory()), strip(await a.memory()), 'the fresh node has the same memory view')
    assert.equal((await fresh.memory('while-away/')).length, 1000)

    // the CLI tells the same story, and every signature on the fresh node checks out
    const verify = await fresh.cli(['bus', 'verify', '--all', '--json'])
    assert.equal(verify.code, 0, verify.stderr)
    const report = JSON.parse(verify.stdout)
    assert.equal(report.ok, true)
    // and the lease a signed for the fresh node
    assert.equal(report.entries, 1017)
    assert.deepEqual(report.authors.map((r: any) => r.signaturesChecked).sort((x: number, y: number) => x - y), [5, 1012])
    await Promise.all([a, b2, fresh].map(async p => { await p.stop() }))
  })

  it('a bulk write far above the gossip rate reaches a peer by sync, and the writer is not taken for a flooder', async (t) => {
    const a = await start('bulk')
    const b = await start('bulk-peer', [await addr(a)])
    await waitFor(async () => (await b.peers()).some(p => p.connected), { timeoutMs: 10_000, what: 'b to connect to a' })
    const started = Date.now()
    await burst(a, 'bulk', 600, 48)
    const wrote = Date.now() - started
    await waitFor(async () => await sameHeads(a, b), { timeoutMs: 20_000, intervalMs: 50, what: 'b to hold all 600 entries' })
    t.diagnostic(`600 entries written in ${wrote} ms (${Math.round(600_000 / wrote)}/s); b held them all ${Date.now() - started} ms after the first`)
    // a held its own gossip under the rate peers allow (50/s, burst 100) and left the rest to sync
    const status = await b.api<{ throttled: Record<string, number> }>('/v1/bus/status')
    assert.deepEqual(status.throttled, {}, 'b dropped nothing: a never sent over the rate')
    assert.ok((await b.peers()).some(p => p.connected), 'b did not cut a off')
    await Promise.all([a, b].map(async p => { await p.stop() }))
  })

  it('SIGKILL during a write burst: every entry reported as written survives, and the chain is intact', async () => {
    const a = await start('crashing')
    const confirmed: EntryView[] = []
    const cliConfirmed: Array<{ key: string, seq: string, hash: string }> = []
    let stop = false
    const apiWriters = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          confirmed.push(await a.memorySet(`crash/api-${w}-${i}`, `v${i}`))
        } catch {
          return // the node is gone: what was not confirmed need not survive
        }
      }
    })
    const cliWriters = Array.from({ length: 2 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const key = `crash/cli-${w}-${i}`
        const res = await a.cli(['memory', 'set', key, `cli ${i}`])
        if (res.code !== 0) return
        const m = /^set (\S+) \(entry (\d+), ([0-9a-f]{12}), on disk\)$/m.exec(res.stdout)
        assert.ok(m != null, `the CLI says what it wrote: ${res.stdout}`)
        cliConfirmed.push({ key, seq: m[2] as string, hash: m[3] as string })
      }
    })
    await waitFor(() => confirmed.length >= 300 && cliConfirmed.length >= 2, { timeoutMs: 30_000, intervalMs: 20, what: 'a few hundred confirmed writes' })
    a.kill('SIGKILL')
    stop = true
    await a.waitExit()
    await Promise.all([...apiWriters, ...cliWriters])

    const again = await start('crashing', [], a.dataDir)
    const log = await again.api<EntryView[]>('/v1/bus/log?limit=10000')
    const stored = new Map(log.map(e => [e.hash, e]))
    for (const e of confirmed) assert.ok(stored.has(e.hash), `entry ${e.seq} (${e.hash}) was confirmed by the API and lost`)
    for (const c of cliConfirmed) {
      const e = log.find(x => x.seq === c.seq)
      assert.ok(e != null && e.hash.startsWith(c.hash), `entry ${c.seq} reported by the CLI was lost`)
      const got = await again.cli(['memory', 'get', c.key])
      assert.equal(got.stdout.trim(), `cli ${c.key.split('-').pop() ?? ''}`)
    }
    const head = Number((await again.heads())[0]?.seq)
    assert.ok(head >= Math.max(...confirmed.map(e => Number(e.seq))), 'the head is at or after the last confirmed entry')
    assert.equal(log.length, head, 'one chain, no holes: as many entries as the head\'s seq')
    const verify = await again.cli(['bus', 'verify', '--all', '--json'])
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
    // and the node goes on writing where the chain ends
    const next = await again.memorySet('crash/after', 'restart')
    assert.equal(next.seq, String(head + 1))
    await again.stop()
  })

  it('a node that lost its store relearns its own chain from a peer before it signs again', async () => {
    const a = await start('forgetful')
    const b = await start('keeper', [await addr(a)])
    const written = await burst(a, 'mine', 5, 1)
    await waitFor(async () => await sameHeads(a, b), { timeoutMs: 10_000, what: 'b to hold a\'s chain' })
    const aAuthor = written[0]?.author as string

    // with no peer to ask, the node refuses to sign rather than risk signing seq 1 again
    await a.stop()
    await rm(join(a.dataDir, 'bus'), { recursive: true })
    const alone = await start('forgetful', [], a.dataDir)
    const refused = await alone.cli(['memory', 'set', 'mine/x', 'y'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /refuses to sign: no peer confirmed this node's own chain/)
    assert.match(refused.stderr, /hint: .*--peer/)
    assert.equal((await alone.heads()).length, 0, 'nothing was signed')
    await alone.stop()

    // with its peer reachable, it fetches its own entries first and continues the chain
    const back = await start('forgetful', [await addr(b)], a.dataDir)
    const e = await back.memorySet('mine/after', 'continued')
    // a's chain: the lease it signed for b, then its five writes
    const last = written[written.length - 1] as EntryView
    assert.equal(last.seq, '6')
    assert.equal(e.seq, '7')
    assert.equal(e.prev, last.hash)
    await waitFor(async () => (await b.heads()).find(h => h.author === aAuthor)?.seq === '7', { timeoutMs: 10_000, what: 'b to accept entry 7' })
    assert.equal((await b.heads()).find(h => h.author === aAuthor)?.forked, false, 'no fork: the node did not sign a seq twice')
    await Promise.all([back, b].map(async p => { await p.stop() }))
  })

  it('an exported bundle verifies offline; a changed byte, a removed or a reordered entry is named', async () => {
    const a = await start('exporter')
    const b = await start('other', [await addr(a)])
    await burst(a, 'x', 6, 1)
    await burst(b, 'y', 3, 1)
    await waitFor(async () => await sameHeads(a, b), { timeoutMs: 10_000, what: 'both chains on both nodes' })
    const file = join(a.dataDir, 'bus.bundle')
    const exporterId = (await a.id()).peerId
    const exp = await a.cli(['bus', 'export', file])
    assert.equal(exp.code, 0, exp.stderr)
    // six writes and a's lease for b on a's chain, three writes on b's
    assert.match(exp.stderr, /exported 10 entries/)
    const mesh = await a.api<{ id: string, root: string }>('/v1/mesh')
    await a.stop()
    await b.stop()

    // no node runs now: verification needs nothing but the file
    const ok = await runCli(['verify', file, '--no-anchor', '--json'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    const report = JSON.parse(ok.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.entries, 10)
    assert.equal(report.exporter.peerId, exporterId)
    assert.deepEqual(report.authors.map((r: any) => r.entries).sort((x: number, y: number) => x - y), [3, 7])
    // anchored at the mesh and its root key: every lease checked, and the exporter is a member
    const anchored = await runCli(['verify', file, '--mesh', mesh.id, '--root', mesh.root])
    assert.equal(anchored.code, 0, anchored.stdout + anchored.stderr)
    assert.match(anchored.stdout, /^bundle verified: 10 entries/)
    assert.match(anchored.stdout, /every author held a lease of the mesh/)
    assert.match(anchored.stdout, /not proven/)
    // on a device of the mesh, its own mesh is the anchor
    const own = await runCli(['verify', file, '--data-dir', b.dataDir, '--json'])
    assert.equal(JSON.parse(own.stdout).anchored, true, own.stdout)
    // without one, it says what it is: consistent, and proving nothing of its mesh
    const loose = await runCli(['verify', file, '--no-anchor'])
    assert.equal(loose.code, 0)
    assert.match(loose.stdout, /NOT ANCHORED/)
    assert.match(loose.stdout, /anyone can make a bundle/)
    const wrongRoot = await runCli(['verify', file, '--mesh', mesh.id, '--root', 'ab'.repeat(32)])
    assert.equal(wrongRoot.code, 1, wrongRoot.stdout)
    assert.match(wrongRoot.stdout, /BUNDLE INVALID/)
    assert.match(wrongRoot.stdout, /holds no chain of the root admin/)
    const badKey = await runCli(['verify', file, '--mesh', mesh.id, '--root', 'xyz'])
    assert.equal(badKey.code, 2)
    assert.match(badKey.stderr, /--root must be a device key of 64 hex digits/)

    const { readFile, writeFile } = await import('node:fs/promises')
    const original = new Uint8Array(await readFile(file))
    const records = splitRecords(original)
    const check = async (bytes: Uint8Array, what: string, reason: RegExp): Promise<void> => {
      const bad = join(a.dataDir, `bad-${what}.bundle`)
      await writeFile(bad, bytes)
      const res = await runCli(['verify', bad, '--no-anchor'])
      assert.equal(res.code, 1, `${what}: ${res.stdout}`)
      assert.match(res.stdout, /BUNDLE INVALID/)
      assert.match(res.stdout, reason, `${what}: ${res.stdout}`)
    }
    // work inside the 7-entry chain, wherever the bundle put it (record 0 is the manifest)
    const base = report.authors[0].entries === 7 ? 0 : 3
    const changed = original.slice()
    const mid = records[base + 4] as { start: number, end: number }
    const at = (mid.start + mid.end) >> 1
    changed[at] = (changed[at] as number) ^ 0x01
    await check(changed, 'changed-byte', new RegExp(`first bad record: #${base + 4}`))
    await check(join8(original, records.filter((_, i) => i !== base + 3)), 'removed', new RegExp(`first bad record: #${base + 3}.*expected seq 3, found 4`))
    const swapped = records.map((r, i) => i === base + 2 ? records[base + 3] as typeof r : i === base + 3 ? records[base + 2] as typeof r : r)
    await check(join8(original, swapped), 'reordered', new RegExp(`first bad record: #${base + 2}.*expected seq 2, found 3`))
    const changedManifest = original.slice()
    changedManifest[12] = (changedManifest[12] as number) ^ 0x40
    await check(changedManifest, 'manifest', /first bad record: #0/)
  })
})

/** The record boundaries of a bundle: 8 magic bytes, then varint-length-prefixed records (record 0 is the manifest). */
function splitRecords (b: Uint8Array): Array<{ start: number, end: number }> {
  const out: Array<{ start: number, end: number }> = []
  let pos = 8
  while (pos < b.byteLength) {
    const start = pos
    let len = 0
    let shift = 0
    while (true) {
      const byte = b[pos++] as number
      len |= (byte & 0x7f) << shift
      shift += 7
      if ((byte & 0x80) === 0) break
    }
    pos += len
    out.push({ start, end: pos })
  }
  return out
}

function join8 (original: Uint8Array, records: Array<{ start: number, end: number }>): Uint8Array {
  const parts = [original.subarray(0, 8), ...records.map(r => original.subarray(r.start, r.end))]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.byteLength }
  return out
}
