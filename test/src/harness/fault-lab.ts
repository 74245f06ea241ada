import { FaultySwitch } from './faults.js'
import { Follower } from './follow.js'
import { Lan } from './lan.js'
import { startMesh } from './mesh.js'
import { waitFor } from './smesh-process.js'
import type { SmeshProcess } from './smesh-process.js'
import type { EntryView } from '@smesh/bus'

/** An entry a node acknowledged (its API answered: it is on that node's disk). */
export interface Written {
  node: number
  key: string
  hash: string
  seq: bigint
  /** Wall-clock ms when the write was acknowledged. */
  ackAt: number
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * A mesh of real nodes on a LAN of namespaces joined by the faulty switch
 * (harness/faults.ts), found by mDNS, for the fault rows of the reliability
 * matrix: writes with their acknowledgement times, where each entry arrived,
 * convergence, and who stayed connected.
 */
export class FaultLab {
  readonly followers: Follower[]

  private constructor (readonly lan: Lan, readonly sw: FaultySwitch, readonly nodes: SmeshProcess[]) {
    this.followers = nodes.map(n => new Follower(n))
  }

  static async start (hosts: number): Promise<FaultLab> {
    const lan = await Lan.create(hosts, { faulty: true })
    try {
      const sw = await FaultySwitch.start(lan)
      const nodes = await startMesh(lan.hosts.map((h, i) => ({ ns: h.ns, name: `n${i}` })))
      const lab = new FaultLab(lan, sw, nodes)
      await lab.connected(30_000)
      return lab
    } catch (err) {
      await lan.destroy()
      throw err
    }
  }

  /** Waits until every running node holds a connection to every other. */
  async connected (timeoutMs: number): Promise<void> {
    const n = this.nodes.length
    for (const p of this.nodes) await waitFor(async () => (await p.peers()).filter(x => x.connected).length >= n - 1, { timeoutMs, what: `${p.name} to connect to the other ${n - 1}` })
  }

  /**
   * Every node in `who` writes `ratePerNode` memory entries a second for
   * `ms`, one at a time; a write whose API call fails was not acknowledged
   * and is not counted.
   */
  async load (options: { ratePerNode: number, ms: number, prefix: string, who?: number[] }): Promise<{ written: Written[], failed: number }> {
    const written: Written[] = []
    let failed = 0
    const until = Date.now() + options.ms
    await Promise.all((options.who ?? this.nodes.map((_, i) => i)).map(async (i) => {
      const p = this.nodes[i] as SmeshProcess
      for (let k = 0; Date.now() < until; k++) {
        const due = Date.now() + 1000 / options.ratePerNode
        const key = `${options.prefix}/n${i}/${k}`
        try {
          const e = await p.post<EntryView>('/v1/memory/set', { key, value: k })
          written.push({ node: i, key, hash: e.hash, seq: BigInt(e.seq), ackAt: Date.now() })
        } catch {
          failed++
        }
        await sleep(Math.max(0, due - Date.now()))
      }
    }))
    return { written, failed }
  }

  /** ms until every node in `who` holds the same heads (throws after `timeoutMs`). */
  async converge (timeoutMs: number, who: SmeshProcess[] = this.nodes): Promise<number> {
    const started = Date.now()
    await waitFor(async () => {
      const keys = await Promise.all(who.map(async p => await p.headsKey()))
      return keys.every(k => k === keys[0])
    }, { timeoutMs, intervalMs: 100, what: 'every node to hold the same heads' })
    return Date.now() - started
  }

  /** Acknowledged entries some node lacks: checked by each writer's chain head on every node (chains are linear and verified). */
  async lost (written: Written[]): Promise<number> {
    const heads = await Promise.all(this.nodes.map(async p => await p.heads()))
    const authorOf = await Promise.all(this.nodes.map(async p => (await p.status()).pqFingerprint))
    let lost = 0
    for (const w of written) {
      for (const h of heads) {
        const head = h.find(x => x.author === authorOf[w.node])
        if (head == null || BigInt(head.seq) < w.seq || head.forked) lost++
      }
    }
    return lost
  }

  /**
   * For each acknowledged entry and each other node: how long after the
   * acknowledgement the entry was stored there (Infinity: never). From the
   * followers' records.
   */
  delays (written: Written[]): number[] {
    const out: number[] = []
    for (const w of written) {
      this.followers.forEach((f, i) => {
        if (i === w.node) return
        const at = f.at.get(w.hash)
        out.push(at == null ? Infinity : Math.max(0, at - w.ackAt))
      })
    }
    return out
  }

  /**
   * Samples every node's connected peers every `everyMs` while `during`
   * runs: the longest time any node went without a connection to any peer
   * it had at the start, and how many times a connection was seen lost.
   */
  async watch <T> (during: () => Promise<T>, everyMs = 500): Promise<{ result: T, longestGapMs: number, drops: number, pruned: number }> {
    let stop = false
    /** node:peer -> when last seen connected; whether connected, listed at the last sample. */
    const lastSeen = new Map<string, number>()
    const state = new Map<string, { connected: boolean, listed: boolean }>()
    let longestGapMs = 0
    let drops = 0
    let pruned = 0
    const sampler = (async () => {
      while (!stop) {
        const now = Date.now()
        await Promise.all(this.nodes.map(async (p, i) => {
          const peers = await p.peers().catch(() => undefined)
          if (peers == null) return
          const ids = new Set(peers.filter(x => x.connected).map(x => x.peerId))
          const listed = new Set(peers.map(x => x.peerId))
          for (const [key, was] of state) {
            if (!key.startsWith(`${i}:`)) continue
            const peer = key.slice(key.indexOf(':') + 1)
            const is = { connected: ids.has(peer), listed: listed.has(peer) }
            if (was.connected && !is.connected) drops++
            if (was.listed && !is.listed) pruned++
            state.set(key, is)
          }
          for (const id of ids) {
            const key = `${i}:${id}`
            if (!state.has(key)) state.set(key, { connected: true, listed: true })
            lastSeen.set(key, now)
          }
          for (const [key, seen] of lastSeen) if (key.startsWith(`${i}:`)) longestGapMs = Math.max(longestGapMs, now - seen)
        }))
        await sleep(everyMs)
      }
    })()
    try {
      const result = await during()
      return { result, longestGapMs, drops, pruned }
    } finally {
      stop = true
      await sampler
    }
  }

  async stop (): Promise<void> {
    await Promise.all(this.followers.map(async f => { await f.stop() }))
    await Promise.all(this.nodes.map(async p => { await p.stop() }))
    await this.sw.stop().catch(() => undefined)
    await this.lan.destroy()
  }
}

/** The share of `delays` at most `limitMs`. */
export function within (delays: number[], limitMs: number): number {
  return delays.length === 0 ? 1 : delays.filter(d => d <= limitMs).length / delays.length
}

export function percentile (values: number[], p: number): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number
}
