import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { LIBFAKETIME, faultsUnavailable } from './harness/faults.js'
import { SmeshProcess, cleanEnv, waitFor } from './harness/smesh-process.js'
import type { MemoryItem } from '@smesh/bus'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
const skip = faultsUnavailable()
/** A process whose wall clock is `offset` off (libfaketime); its monotonic clock, timers included, runs true. */
const skewed = (offset: string): NodeJS.ProcessEnv => cleanEnv({ LD_PRELOAD: LIBFAKETIME as string, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' })

/** Matrix row 8: one node's clock 288 s fast, then (another mesh) 288 s slow: under the 5 min an entry may be ahead. */
describe('reliability matrix: clocks 288 s fast and slow', { skip, timeout: 180_000 }, () => {
  const procs: SmeshProcess[] = []
  after(async () => { await Promise.all(procs.map(async p => { await p.stop() })) })

  for (const [label, offset, sign] of [['fast', '+288s', 1], ['slow', '-288s', -1]] as const) {
    it(`row 8: a node's clock 288 s ${label}: no chain reordered, the memory views agree on every node, and the skew is reported`, async (t) => {
      const root = await SmeshProcess.start({ name: 'true', args: LOOPBACK })
      procs.push(root)
      const addr = (await root.id()).listenAddrs[0] as string
      const other = await SmeshProcess.start({ name: 'other', join: await root.invite(), args: [...LOOPBACK, '--peer', addr] })
      procs.push(other)
      const skew = await SmeshProcess.start({ name: label, join: await root.invite(), args: [...LOOPBACK, '--peer', addr], env: skewed(offset) })
      procs.push(skew)
      const all = [root, other, skew]
      for (const p of all) await waitFor(async () => (await p.peers()).filter(x => x.connected).length >= 1, { timeoutMs: 20_000, what: `${p.name} to connect` })
      t.diagnostic(`the ${label} node's own clock said ${new Date((await skew.status()).startedAt).toISOString()} at its start`)

      for (let i = 0; i < 15; i++) {
        await Promise.all(all.map(async (p) => {
          await p.memorySet(`shared/k${i % 5}`, `${p.name} ${i}`)
          await p.memorySet(`own/${p.name}/${i}`, i)
        }))
      }
      await waitFor(async () => {
        const keys = await Promise.all(all.map(async p => await p.headsKey()))
        return keys.every(k => k === keys[0])
      }, { timeoutMs: 30_000, what: 'every node to hold the same heads' })
      const view = (items: MemoryItem[]): string => JSON.stringify(items.map(m => [m.key, m.value, m.hash]))
      const views = await Promise.all(all.map(async p => view(await p.memory())))
      for (const v of views) assert.equal(v, views[0], 'the same memory view on every node')
      assert.equal(JSON.parse(views[0] as string).length, 5 + 45)
      // every chain verifies entry by entry: an author's clock never went back along it
      for (const p of all) {
        const r = await p.cli(['bus', 'verify', '--all', '--json'])
        assert.equal(r.code, 0, r.stdout)
        assert.equal(JSON.parse(r.stdout).ok, true)
      }
      const shared = JSON.parse(views[0] as string).filter((m: unknown[]) => String(m[0]).startsWith('shared/'))
      t.diagnostic(`concurrent writes to shared keys won by: ${[...new Set(shared.map((m: unknown[]) => String(m[1]).split(' ')[0]))].join(', ')}`)

      // the skew is measured from the beacons, shown and logged
      const peer = await waitFor(async () => (await root.peers()).find(p => p.name === label && p.clockOffsetMs != null), { timeoutMs: 15_000, what: 'the root to estimate the clock' })
      t.diagnostic(`measured offset on the root: ${String(peer.clockOffsetMs)} ms`)
      assert.ok(Math.abs((peer.clockOffsetMs as number) - sign * 288_000) < 3_000, `offset ${String(peer.clockOffsetMs)}`)
      const status = await root.cli(['status'])
      assert.match(status.stdout, new RegExp(`clocks\\s+.*${label} ${sign > 0 ? '\\+' : '-'}288 s`))
      const logged = await waitFor(async () => (await readFile(join(root.dataDir, 'logs', 'smesh.log'), 'utf8')).split('\n').find(l => l.includes('"clock:skew"')), { timeoutMs: 15_000, what: 'the root to log the skew' })
      assert.match(logged, new RegExp(`runs 288 s ${sign > 0 ? 'ahead' : 'behind'}`))
      await Promise.all(all.map(async p => { await p.stop() }))
    })
  }
})
