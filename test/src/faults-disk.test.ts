import assert from 'node:assert/strict'
import { rm, stat } from 'node:fs/promises'
import { after, describe, it } from 'node:test'
import { netnsUnavailable } from './harness/exec.js'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { EntryView } from '@smesh/bus'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
// a private mount namespace (root needed, like the namespace tests): the small disk is the node's alone and goes with it
const skip = netnsUnavailable()
const MOUNT = 'd="$1"; shift; mkdir -p "$d/bus" && mount -t tmpfs -o size=6m tmpfs "$d/bus" && head -c 4718592 /dev/zero > "$d/bus/filler" && exec "$@"'

/** Matrix row 7: a node's bus store on a nearly full disk (a 6 MiB tmpfs, 4.5 MiB taken). */
describe('reliability matrix: the disk fills up', { skip, timeout: 180_000 }, () => {
  const procs: SmeshProcess[] = []
  after(async () => { await Promise.all(procs.map(async p => { await p.stop() })) })

  it('row 7: writes refused with a clear error within 1 s, reads go on, no crash, nothing lost once there is room again', async (t) => {
    const root = await SmeshProcess.start({ name: 'root', args: LOOPBACK })
    procs.push(root)
    const addr = (await root.id()).listenAddrs[0] as string
    const dataDir = tempDir('smesh-full')
    const small = await SmeshProcess.start({ name: 'small', dataDir, join: await root.invite(), args: [...LOOPBACK, '--peer', addr], wrap: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', MOUNT, 'sh', dataDir] })
    procs.push(small)
    // the store is on the small disk, seen from outside through the node's own mount namespace
    const filler = `/proc/${small.pid}/root${dataDir}/bus/filler`
    assert.ok((await stat(filler)).size > 4_000_000)

    const acked: EntryView[] = []
    const big = 'x'.repeat(30_000)
    let refusal: any
    let refusedInMs = 0
    for (let i = 0; i < 400 && refusal == null; i++) {
      const started = performance.now()
      try {
        acked.push(await small.post<EntryView>('/v1/memory/set', { key: `big/${i}`, value: big }))
      } catch (err) {
        refusal = err
        refusedInMs = performance.now() - started
      }
    }
    t.diagnostic(`${acked.length} writes acknowledged, then: ${String(refusal?.message)} (HTTP ${String(refusal?.status)}, in ${refusedInMs.toFixed(1)} ms)`)
    assert.ok(refusal != null, 'the disk filled up')
    assert.equal(refusal.status, 507)
    assert.match(refusal.message, /disk that holds the bus store .* is full: this write was not stored/)
    assert.match(refusal.hint, /free space/)
    assert.ok(refusedInMs < 1_000, `refused in ${refusedInMs} ms`)
    const cli = await small.cli(['memory', 'set', 'more', '1'])
    assert.notEqual(cli.code, 0)
    assert.match(cli.stderr, /is full/)
    assert.match(cli.stderr, /hint: free space/)

    // reads go on, and the node runs
    assert.equal((await small.api<{ value: string }>('/v1/memory/get?key=big/0')).value, big)
    assert.ok(small.running)
    assert.equal((await small.status()).name, 'small')

    // room again: writes work, and nothing acknowledged was lost, here or on the peer
    await rm(filler)
    const after = await small.post<EntryView>('/v1/memory/set', { key: 'after', value: 'room again' })
    assert.equal(BigInt(after.seq), BigInt(acked[acked.length - 1]?.seq ?? '0') + 1n, 'the chain goes on where it stopped')
    const items = await small.memory('big/')
    assert.equal(items.length, acked.length)
    const r = await small.cli(['bus', 'verify', '--all', '--json'])
    assert.equal(JSON.parse(r.stdout).ok, true)
    await waitFor(async () => (await root.memory('after')).length === 1 && (await root.memory('big/')).length === acked.length, { timeoutMs: 20_000, what: 'the peer to hold every acknowledged entry' })
  })
})
