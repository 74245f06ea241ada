import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { BUS_DIR, openBus } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { tempDir } from '../src/harness/tmp.js'
import { Follower, KIND, closedLoop, linkCounters, openLoop, randomBodies, round, sleep, waitDelivered, warmUp, withBusLan } from './bus-common.js'
import { progress, summarize } from './stats.js'
import type { NodeApi, Written } from './bus-common.js'

export interface BusSizeOptions {
  nodes: number
  entries: number
  perSec: number
  bodyBytes: number
}

/** diskBytes of a node's bus once it has stopped changing for 2 s (at most 20 s). */
async function settledDiskBytes (api: NodeApi): Promise<number> {
  let last = -1
  let stableSince = Date.now()
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const now = (await api.status()).diskBytes
    if (now !== last) {
      last = now
      stableSince = Date.now()
    } else if (Date.now() - stableSince >= 2_000) {
      break
    }
    await sleep(250)
  }
  return last
}

/** Bytes of the files in a bus directory (as LevelStorage.size counts them; constructing one would open the store). */
async function dirBytes (dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}

/**
 * A store of `entries` entries written in this process, closed and reopened
 * (LevelDB turns its write-ahead log into a sorted table on open), against
 * the same store empty: bytes per entry once LevelDB has settled.
 */
async function settledStoreBytesPerEntry (entries: number, bodyBytes: number): Promise<number> {
  const dir = tempDir('smesh-bench-size')
  const identity = await loadOrCreateIdentity(dir)
  const bus = await openBus(dir, identity)
  await bus.close()
  const empty = await dirBytes(join(dir, BUS_DIR))
  const again = await openBus(dir, identity)
  const bodies = randomBodies(64, bodyBytes)
  try {
    await closedLoop(64, { count: entries }, async i => await again.append(KIND, bodies[i % bodies.length] as Uint8Array))
  } finally {
    await again.close()
  }
  await (await openBus(dir, identity)).close()
  return (await dirBytes(join(dir, BUS_DIR)) - empty) / entries
}

/**
 * Bytes per entry: the encoded entry, on disk (each node's bus store), and
 * on the wire (the writer's LAN interface, and all five hosts', while one
 * node writes to four peers), with the idle traffic of an equal period
 * before subtracted.
 */
export async function benchBusSize (o: BusSizeOptions): Promise<Record<string, unknown>> {
  progress(`bus-size: ${o.entries} entries of ${o.bodyBytes} bytes at ${o.perSec}/s from one node to ${o.nodes - 1} peers`)
  const inProcess = await settledStoreBytesPerEntry(Math.max(1000, o.entries), o.bodyBytes)
  return await withBusLan(o.nodes, 'size', async bl => {
    const followers = await Promise.all(bl.apis.map(async (a, i) => await Follower.open(a, bl.nodes[i]?.name ?? `n${i}`)))
    try {
      const bodies = randomBodies(64, o.bodyBytes).map(b => Buffer.from(b).toString('base64'))
      await warmUp(bl, [0], followers, bodies[0] as string)
      const disk0 = await Promise.all(bl.apis.map(settledDiskBytes))
      const hosts = bl.lan.hosts.map(h => h.ns)
      const seconds = o.entries / o.perSec

      progress(`bus-size: ${round(seconds)} s of idle traffic, then ${round(seconds)} s of writing`)
      const idle0 = await Promise.all(hosts.map(linkCounters))
      const idleStart = performance.now()
      await sleep(seconds * 1000)
      const idle1 = await Promise.all(hosts.map(linkCounters))
      const idleSec = (performance.now() - idleStart) / 1000

      const writer = bl.apis[0] as NodeApi
      const sizes: number[] = []
      const outcomes = await openLoop(o.perSec, o.entries, async i => {
        const v = await writer.append(bodies[i % bodies.length] as string)
        sizes.push(v.size)
        return v
      })
      const written: Written[] = outcomes.flatMap(r => r.status === 'fulfilled' ? [{ hash: r.value.hash, writer: 0 }] : [])
      if (written.length !== o.entries) throw new Error(`${o.entries - written.length} appends failed`)
      const missing = await waitDelivered(written, followers, 15_000)
      if (missing > 0) throw new Error(`${missing} deliveries missing`)
      const busy1 = await Promise.all(hosts.map(linkCounters))
      const busySec = (performance.now() - idleStart) / 1000 - idleSec

      const perEntry = (i: number, field: 'txBytes' | 'rxBytes' | 'txPackets' | 'rxPackets'): { gross: number, net: number } => {
        const busy = (busy1[i]?.[field] ?? 0) - (idle1[i]?.[field] ?? 0)
        const idle = ((idle1[i]?.[field] ?? 0) - (idle0[i]?.[field] ?? 0)) / idleSec * busySec
        return { gross: round(busy / o.entries), net: round((busy - idle) / o.entries) }
      }
      const receivers = hosts.map((_h, i) => i).slice(1)
      const lanTx = (net: boolean): number => round(hosts.reduce((n, _h, i) => n + (net ? perEntry(i, 'txBytes').net : perEntry(i, 'txBytes').gross), 0))

      const disk1 = await Promise.all(bl.apis.map(settledDiskBytes))
      const diskPer = disk1.map((d, i) => (d - (disk0[i] ?? 0)) / o.entries)
      return {
        entries: o.entries,
        bodyBytes: o.bodyBytes,
        encodedEntryBytes: summarize(sizes),
        encodedFirstEntryNote: 'the first entry of a chain also carries the 1,952-byte public key and the identity binding',
        wire: {
          note: `bytes on each host's eth0 (Ethernet frames: IP, TCP, Noise, yamux and gossipsub framing included) over the ${round(busySec, 1)} s of writing, per entry; net = minus the idle traffic (presence beacons, mDNS, gossipsub heartbeats) of the ${round(idleSec, 1)} s before`,
          writerTx: perEntry(0, 'txBytes'),
          writerRx: perEntry(0, 'rxBytes'),
          writerTxPackets: perEntry(0, 'txPackets'),
          receiverTx: summarize(receivers.map(i => perEntry(i, 'txBytes').net)),
          receiverRx: summarize(receivers.map(i => perEntry(i, 'rxBytes').net)),
          allHostsTx: { gross: lanTx(false), net: lanTx(true) },
          idleTxBytesPerSecPerHost: summarize(hosts.map((_h, i) => ((idle1[i]?.txBytes ?? 0) - (idle0[i]?.txBytes ?? 0)) / idleSec))
        },
        disk: {
          note: 'GET /v1/bus/status diskBytes (the bus LevelDB directory) once unchanged for 2 s, after minus before the writes, per entry; LevelDB may still hold them in its write-ahead log',
          writerBytesPerEntry: round(diskPer[0] ?? NaN),
          receiverBytesPerEntry: summarize(diskPer.slice(1)),
          settledInProcessBytesPerEntry: round(inProcess),
          settledNote: `a store of ${Math.max(1000, o.entries)} entries built in-process, closed and reopened (the log becomes a table), minus the empty store`
        }
      }
    } finally {
      for (const f of followers) f.close()
    }
  })
}
