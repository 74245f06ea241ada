import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'

/**
 * Presence in the host namespace, no root needed: discovery off, static peers
 * on 127.0.0.1. A star: b and c know only a; b and c hear each other through
 * a's relay of their beacons, then connect directly.
 */
describe('presence over static loopback peers', { timeout: 120_000 }, () => {
  const procs: SmeshProcess[] = []
  after(async () => { await Promise.all(procs.map(async p => { if (p.child.signalCode === null) p.kill('SIGCONT'); await p.stop() })) })
  let root: SmeshProcess | undefined
  /** The first node makes the mesh; the others join it with a token from the first. */
  const start = async (name: string, peers: string[] = []): Promise<SmeshProcess> => {
    const join = root != null ? await root.invite() : undefined
    const p = await SmeshProcess.start({ name, join, args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...peers.flatMap(a => ['--peer', a])] })
    procs.push(p)
    root ??= p
    return p
  }
  const lists = async (p: SmeshProcess, id: string): Promise<boolean> => (await p.peers()).some(x => x.peerId === id)

  it('a frozen node (SIGSTOP: no FIN, no beacons) is pruned 15-21 s later; after SIGCONT it is back', async (t) => {
    const a = await start('hub')
    const aAddr = (await a.id()).listenAddrs[0] as string
    const b = await start('spoke-b', [aAddr])
    const c = await start('spoke-c', [aAddr])
    const [bId, cId] = [(await b.id()).peerId, (await c.id()).peerId]
    // b and c are not configured with each other: they hear each other through a's relay first
    await waitFor(async () => await lists(b, cId) && await lists(c, bId), { timeoutMs: 20_000, what: 'b and c to list each other' })
    // the fingerprint is shown once c's identity binding (sent with the beacons
    // that greet a new subscriber, and once a minute) has verified
    const viaB = await waitFor(async () => (await b.peers()).find(p => p.peerId === cId && p.pqFingerprint !== ''), { timeoutMs: 10_000, what: 'b to verify c\'s identity binding' })
    assert.equal(viaB.name, 'spoke-c')
    assert.equal(viaB.pqFingerprint, (await c.id()).pqFingerprint)

    const stoppedAt = Date.now()
    c.kill('SIGSTOP')
    const pruned = await Promise.all([a, b].map(async p => {
      await waitFor(async () => !(await lists(p, cId)), { timeoutMs: 25_000, intervalMs: 50, what: `${p.name} to prune c` })
      return Date.now() - stoppedAt
    }))
    t.diagnostic(`pruned ${pruned.join(', ')} ms after SIGSTOP`)
    for (const ms of pruned) assert.ok(ms >= 15_000 && ms <= 21_000, `pruned after ${ms} ms`)
    assert.ok(await lists(a, bId) && await lists(b, (await a.id()).peerId), 'the live nodes keep each other')
    // the prune aborted a's connection to c (b is all a is connected to now) and was logged
    await waitFor(async () => (await a.status()).connections === 1, { timeoutMs: 2_000, what: 'a to hold only its connection to b' })
    const { readFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const events = (await readFile(join(a.dataDir, 'logs', 'smesh.log'), 'utf8')).split('\n').filter(l => l.includes('"peer:prune"')).map(l => JSON.parse(l))
    assert.equal(events.length, 1)
    assert.equal(events[0].peerId, cId)
    assert.equal(events[0].name, 'spoke-c')
    assert.ok(events[0].silentMs > 20_000 && events[0].silentMs < 21_000, `silence at prune ${events[0].silentMs} ms`)

    c.kill('SIGCONT')
    await waitFor(async () => await lists(a, cId), { timeoutMs: 8_000, what: 'a to list c again (c redials its static peer)' })
    await waitFor(async () => await lists(b, cId), { timeoutMs: 15_000, what: 'b to list c again' })
  })

  it('a node that just stopped is not listed by a node that starts right after (gossip cache replay)', async () => {
    const a = procs[0] as SmeshProcess
    const aAddr = (await a.id()).listenAddrs[0] as string
    const gone = await start('gone', [aAddr])
    const goneId = (await gone.id()).peerId
    await waitFor(async () => await lists(a, goneId), { timeoutMs: 10_000, what: 'a to list the soon-gone node' })
    await gone.stop()
    const fresh = await start('fresh', [aAddr])
    await waitFor(async () => await lists(fresh, (await a.id()).peerId), { timeoutMs: 10_000, what: 'the fresh node to list a' })
    for (let i = 0; i < 8; i++) {
      assert.ok(!(await lists(fresh, goneId)), 'the stopped node must not appear on the fresh node')
      await new Promise(resolve => setTimeout(resolve, 1_000))
    }
  })
})
