import assert from 'node:assert/strict'
import { cp, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCapture } from './harness/capture.js'
import { netnsUnavailable } from './harness/exec.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { SmeshProcess, runCli, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { EntryView } from '@smesh/bus'

const skip = netnsUnavailable()

/** Protocol names libp2p would send in the clear without a network key. */
const PLAINTEXT = ['/multistream/1.0.0', '/noise', '/yamux', '/meshsub', '/smesh', '/ipfs/id'].map(s => Buffer.from(s).toString('hex'))

const exists = async (p: string): Promise<boolean> => await stat(p).then(() => true, () => false)

/**
 * A private mesh on a LAN of four namespaces: the root (host 0) made it, b
 * and c joined it; host 3 is where strangers, guests and misbehaving
 * devices come and go.
 */
describe('a private mesh: only invited devices get in, and access can be revoked', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let root: SmeshProcess
  let b: SmeshProcess
  let c: SmeshProcess
  const extra: SmeshProcess[] = []
  const host3 = (): string => lan.hosts[3]?.ns as string
  const connectedPeers = async (p: SmeshProcess): Promise<string[]> => (await p.peers()).filter(x => x.connected).map(x => x.peerId)

  before(async () => {
    lan = await Lan.create(4)
    ;[root, b, c] = await startMesh([0, 1, 2].map(i => ({ ns: lan.hosts[i]?.ns, name: ['root', 'b', 'c'][i] }))) as [SmeshProcess, SmeshProcess, SmeshProcess]
    for (const p of [root, b, c]) await waitFor(async () => (await connectedPeers(p)).length >= 2, { timeoutMs: 20_000, what: `${p.name} to connect to the other two` })
  })
  after(async () => {
    await Promise.all([root, b, c, ...extra].filter(p => p != null).map(async p => { await p.stop() }))
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('a node without the network key exchanges nothing with the mesh but the 24-byte pnet nonces (capture on the veth)', async (t) => {
    const rootIp = lan.hosts[0]?.ip as string
    const intruderIp = lan.hosts[3]?.ip as string
    const capture = await startCapture(lan.hosts[0]?.ns as string, 'eth0', 7370)
    // a mesh of its own (another key), dialing the root's address directly and again every 5 s
    const intruder = await SmeshProcess.start({ ns: host3(), name: 'intruder', args: ['--peer', `/ip4/${rootIp}/tcp/7370`] })
    extra.push(intruder)
    await new Promise(resolve => setTimeout(resolve, 7_000))
    const flows = await capture.stop()
    await intruder.stop()
    const withIntruder = flows.filter(f => f.from.startsWith(`${intruderIp}:`) || f.to.startsWith(`${intruderIp}:`))
    const fromRoot = withIntruder.filter(f => f.from === `${rootIp}:7370`)
    const toRoot = withIntruder.filter(f => f.to === `${rootIp}:7370`)
    t.diagnostic(`intruder connections: ${toRoot.length}; bytes root->intruder per connection: ${fromRoot.map(f => f.bytes).join(', ')}; intruder->root: ${toRoot.map(f => f.bytes).join(', ')}`)
    // one dial in these 7 s: with the wrong key its handshake hangs until a side's 10 s deadline
    assert.ok(toRoot.length >= 1, 'the intruder dialed the root')
    for (const f of fromRoot) assert.ok(f.bytes <= 24, `the root sent ${f.bytes} payload bytes on one connection: only its 24-byte nonce may go to a node without the key`)
    // the intruder's own bytes: its nonce, then what it encrypted with the wrong key; the root answered none of it
    for (const f of toRoot) assert.ok(f.bytes < 200, `intruder sent ${f.bytes} bytes`)
    const members = flows.filter(f => !withIntruder.includes(f))
    assert.ok(members.reduce((n, f) => n + f.bytes, 0) > 1000, 'the members\' connections carried their traffic meanwhile (control)')
    for (const f of flows) {
      for (const marker of PLAINTEXT) assert.ok(!f.data.includes(marker), `${f.from} -> ${f.to}: a protocol name in the clear`)
    }
    assert.ok(!(await root.peers()).some(p => p.name === 'intruder'), 'the root never listed the intruder')
  })

  it('a device holding the network key but no lease is refused by every member', async () => {
    // the mesh file copied onto a stranger's device: the right key, a fresh identity, no lease
    const dir = tempDir('smesh-stranger')
    await cp(join(root.dataDir, 'mesh.json'), join(dir, 'mesh.json'))
    const stranger = await SmeshProcess.start({ ns: host3(), dataDir: dir, name: 'stranger' })
    extra.push(stranger)
    const id = (await stranger.id()).peerId
    await root.memorySet('probe/while-stranger', 1)
    await new Promise(resolve => setTimeout(resolve, 8_000))
    assert.deepEqual(await connectedPeers(stranger), [], 'no member kept a connection with it')
    for (const p of [root, b, c]) assert.ok(!(await connectedPeers(p)).includes(id), `${p.name} has no connection to the stranger`)
    assert.deepEqual(await stranger.memory('probe/'), [], 'nothing of the bus reached it')
    const w = await stranger.cli(['memory', 'set', 'x', 'y'])
    assert.equal(w.code, 6, w.stderr)
    assert.match(w.stderr, /may not write memory\.put/)
    await stranger.stop()
  })

  it('an invite works once; a second use, a tampered or an expired token fail with a clear error and change nothing', async () => {
    const token = await root.invite({ scopes: 'read,write' })
    const before = (await root.api<unknown[]>('/v1/members')).length
    const flipped = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41)
    const bad = tempDir('smesh-joiner')
    const tampered = await runCli(['join', flipped, '--data-dir', join(bad, 'd'), '--no-start'], { ns: host3() })
    assert.equal(tampered.code, 2)
    assert.match(tampered.stderr, /token is damaged: its checksum does not match/)
    assert.equal(await exists(join(bad, 'd')), false, 'no data dir was made')

    const ok = await runCli(['join', token, '--data-dir', join(bad, 'first'), '--no-start', '--json'], { ns: host3() })
    assert.equal(ok.code, 0, ok.stderr)
    assert.deepEqual(JSON.parse(ok.stdout).scopes, ['read', 'write'])
    const again = await runCli(['join', token, '--data-dir', join(bad, 'second'), '--no-start'], { ns: host3() })
    assert.equal(again.code, 1)
    assert.match(again.stderr, /refused the join: this invite was already used/)
    assert.match(again.stderr, /hint: an invite works once/)
    assert.equal(await exists(join(bad, 'second')), false, 'the refused join left nothing behind')

    const short = await root.invite({ ttlMs: 1_000 })
    await new Promise(resolve => setTimeout(resolve, 1_500))
    const late = await runCli(['join', short, '--data-dir', join(bad, 'late'), '--no-start'], { ns: host3() })
    assert.equal(late.code, 2)
    assert.match(late.stderr, /the token expired at/)
    assert.equal(await exists(join(bad, 'late')), false)
    assert.equal((await root.api<unknown[]>('/v1/members')).length, before + 1, 'one device joined, once')
  })

  it('a read-only device cannot write; its node refuses, and nothing of it reaches the mesh', async () => {
    const reader = await SmeshProcess.start({ ns: host3(), name: 'reader', join: await root.invite({ scopes: 'read' }) })
    extra.push(reader)
    await root.memorySet('probe/for-reader', 'hello')
    await waitFor(async () => (await reader.memory('probe/for-reader')).length === 1, { timeoutMs: 15_000, what: 'the reader to read the bus' })
    const w = await reader.cli(['memory', 'set', 'notes/x', 'mine'])
    assert.equal(w.code, 6)
    assert.match(w.stderr, /needs the scope "write"; its lease has read/)
    const readerAuthor = (await reader.api<{ device: string }>('/v1/mesh')).device
    assert.equal((await root.heads()).find(h => h.author === readerAuthor), undefined, 'the reader signed nothing')
    await reader.stop()
  })

  it('an expired lease is refused: the device is cut off when its lease ends', async (t) => {
    const guest = await SmeshProcess.start({ ns: host3(), name: 'guest', join: await root.invite({ leaseMs: 6_000, renew: false }) })
    extra.push(guest)
    const id = (await guest.id()).peerId
    await waitFor(async () => (await connectedPeers(root)).includes(id), { timeoutMs: 10_000, what: 'the guest to connect' })
    const lease = (await root.api<Array<{ peerId: string, expiresAt: number }>>('/v1/members')).find(m => m.peerId === id)?.expiresAt as number
    await waitFor(async () => !(await connectedPeers(root)).includes(id) && !(await connectedPeers(b)).includes(id), { timeoutMs: 20_000, intervalMs: 100, what: 'the members to drop the guest' })
    t.diagnostic(`guest dropped ${Date.now() - lease} ms after its lease ended`)
    assert.ok(Date.now() >= lease - 500, 'not before the lease ended')
    assert.equal((await root.api<Array<{ peerId: string, status: string }>>('/v1/members')).find(m => m.peerId === id)?.status, 'expired')
    const w = await guest.cli(['memory', 'set', 'late', 'x'])
    assert.equal(w.code, 6)
    assert.match(w.stderr, /lease is expired/)
    await new Promise(resolve => setTimeout(resolve, 6_000))
    assert.ok(!(await connectedPeers(root)).includes(id), 'its redials are refused')
    await guest.stop()
  })

  it('a revoked device is cut off by every node within 5 s and its later entries are refused everywhere', async (t) => {
    const dev = await SmeshProcess.start({ ns: host3(), name: 'laptop', join: await root.invite() })
    extra.push(dev)
    const id = (await dev.id()).peerId
    for (const p of [root, b, c]) await waitFor(async () => (await connectedPeers(p)).includes(id), { timeoutMs: 20_000, what: `${p.name} to connect to the laptop` })
    const before = await dev.memorySet('laptop/1', 'before')
    for (const p of [root, b, c]) await waitFor(async () => (await p.memory('laptop/')).length === 1, { timeoutMs: 10_000, what: `${p.name} to take the laptop's entry` })

    const started = Date.now()
    const r = await root.cli(['revoke', 'laptop', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const cut = await Promise.all([root, b, c].map(async p => {
      await waitFor(async () => !(await connectedPeers(p)).includes(id), { timeoutMs: 10_000, intervalMs: 50, what: `${p.name} to drop the laptop` })
      return Date.now() - started
    }))
    t.diagnostic(`connections closed ${cut.join(', ')} ms after smesh revoke`)
    for (const ms of cut) assert.ok(ms < 5_000, `cut off after ${ms} ms`)
    for (const p of [root, b, c]) assert.ok(!(await p.peers()).some(x => x.peerId === id), `${p.name} no longer lists the revoked device`)
    // the device learns it: its lease shows as revoked, and it says so
    const own = await waitFor(async () => { const s = await dev.status(); return s.membership.status === 'revoked' && s }, { timeoutMs: 5_000, what: 'the laptop to learn it was revoked' })
    assert.equal(own.membership.status, 'revoked')
    assert.match((await dev.cli(['mesh'])).stdout, /revoked/)
    assert.match((await dev.cli(['status'])).stdout, /membership\s+REVOKED/)
    assert.match(dev.stderr, /this device was revoked by an admin/)
    for (const p of [b, c]) {
      const m = await waitFor(async () => (await p.api<Array<{ peerId: string, status: string }>>('/v1/members')).find(x => x.peerId === id && x.status === 'revoked'), { timeoutMs: 5_000, what: `${p.name} to list the laptop as revoked` })
      assert.equal(m.status, 'revoked')
    }
    // what it writes now reaches no one
    await dev.memorySet('laptop/2', 'after').catch(() => undefined)
    await new Promise(resolve => setTimeout(resolve, 6_000))
    for (const p of [root, b, c]) {
      assert.deepEqual((await p.memory('laptop/')).map(m => m.hash), [before.hash], `${p.name} holds only the entry from before the revocation`)
      assert.ok(!(await connectedPeers(p)).includes(id), `${p.name} refuses its redials`)
    }
    await dev.stop()
  })

  it('the governance gate: a blocked write is refused and recorded on the bus; an "ask" write waits, then runs once an admin approves', async () => {
    const file = join(tempDir('smesh-policy'), 'policy.json')
    await writeFile(file, JSON.stringify({ rules: [{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }, { action: 'memory.write', subject: 'shared/*', device: 'b', effect: 'ask' }] }))
    const set = await root.cli(['policy', 'set', file, '--json'])
    assert.equal(set.code, 0, set.stderr)
    const { inForceAt } = JSON.parse(set.stdout) as { inForceAt: number }
    await waitFor(async () => (await b.api<{ rules: unknown[], inForceAt: number }>('/v1/policy')).inForceAt === inForceAt, { timeoutMs: 10_000, what: 'b to take the policy' })
    // every node judges entries by it from a moment after it was set: the same verdict everywhere
    await new Promise(resolve => setTimeout(resolve, Math.max(0, inForceAt - Date.now()) + 200))
    // c may not change it
    const notAdmin = await c.cli(['policy', 'set', file])
    assert.equal(notAdmin.code, 6)

    const blocked = await b.cli(['memory', 'set', 'secrets/key', 'hunter2'])
    assert.equal(blocked.code, 6)
    assert.match(blocked.stderr, /memory\.write of "secrets\/key" is blocked by rule 1/)
    // no other door: the raw bus append, a session or the same key by another route is refused the same way
    await assert.rejects(b.post('/v1/bus/append', { kind: 'memory.put', body: { key: 'secrets/x', value: 'bypass' } }), (err: any) => err.status === 403 && err.exitCode === 6 && /blocked by rule 1/.test(err.message))
    const ledger = await waitFor(async () => {
      const r = await root.cli(['bus', 'log', '--kind', 'policy.deny', '--json'])
      const entries = JSON.parse(r.stdout) as EntryView[]
      return entries.length >= 2 && entries
    }, { timeoutMs: 10_000, what: 'the refusals to reach the root\'s ledger' })
    assert.deepEqual(ledger.map(e => (e.body as { subject: string }).subject).sort(), ['secrets/key', 'secrets/x'])
    assert.ok(!JSON.stringify(ledger).includes('hunter2'), 'the refused value is not recorded')
    assert.deepEqual(await root.memory('secrets/'), [])
    for (const p of [root, b, c]) assert.deepEqual(await p.memory('secrets/'), [], `${p.name} holds no blocked key`)

    // c is not held: the ask rule names b
    assert.equal((await c.cli(['memory', 'set', 'shared/c', '1'])).code, 0)
    const held = b.cli(['memory', 'set', 'shared/doc', 'draft'])
    const pending = await waitFor(async () => {
      const list = JSON.parse((await root.cli(['approvals', '--json'])).stdout) as Array<{ id: string, subject: string }>
      return list.find(a => a.subject === 'shared/doc')
    }, { timeoutMs: 10_000, what: 'the ask to show on the root' })
    await new Promise(resolve => setTimeout(resolve, 1_000))
    assert.equal((await b.memory('shared/doc')).length, 0, 'nothing written while it waits')
    const ok = await root.cli(['approve', pending.id])
    assert.equal(ok.code, 0, ok.stderr)
    const done = await held
    assert.equal(done.code, 0, done.stderr)
    await waitFor(async () => (await root.memory('shared/doc'))[0]?.value === 'draft', { timeoutMs: 10_000, what: 'the approved write to replicate' })
    const log = await readFile(join(b.dataDir, 'logs', 'smesh.log'), 'utf8')
    assert.ok(!log.includes('hunter2'))
  })
})
