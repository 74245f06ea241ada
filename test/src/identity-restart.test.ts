import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'

/** Host namespace: discovery off, loopback only. */
describe('identity survives SIGKILL', { timeout: 60_000 }, () => {
  const procs: SmeshProcess[] = []
  after(async () => { await Promise.all(procs.map(async p => { await p.stop() })) })

  it('a node killed with SIGKILL and restarted keeps its PeerId and ML-DSA key', async () => {
    const dataDir = tempDir()
    const args = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
    const first = await SmeshProcess.start({ dataDir, name: 'phoenix', args })
    procs.push(first)
    const before = await first.id()
    const keyFiles = ['libp2p.key', 'mldsa65.seed', 'binding.pb']
    const bytesBefore = await Promise.all(keyFiles.map(async f => await readFile(join(dataDir, 'identity', f))))
    assert.match(before.peerId, /^12D3KooW/)
    assert.match(before.pqFingerprint, /^[0-9a-f]{64}$/)

    first.kill('SIGKILL')
    await first.waitExit()

    // the lock and api.json of the killed node are left behind; the restart takes over
    const second = await SmeshProcess.start({ dataDir, name: 'phoenix', args })
    procs.push(second)
    const afterRestart = await second.id()
    assert.equal(afterRestart.peerId, before.peerId)
    assert.equal(afterRestart.pqFingerprint, before.pqFingerprint)
    const bytesAfter = await Promise.all(keyFiles.map(async f => await readFile(join(dataDir, 'identity', f))))
    assert.deepEqual(bytesAfter, bytesBefore, 'key files are not rewritten on restart')

    // the CLI shows the same identity
    const res = await second.cli(['id', '--json'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(JSON.parse(res.stdout).peerId, before.peerId)
  })

  it('two nodes on one machine with different data dirs find each other through --peer', async () => {
    const a = await SmeshProcess.start({ name: 'left', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
    procs.push(a)
    const addr = (await a.id()).listenAddrs[0] as string
    const b = await SmeshProcess.start({ name: 'right', join: await a.invite(), args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--peer', addr] })
    procs.push(b)
    const aId = (await a.id()).peerId
    const bId = (await b.id()).peerId
    await waitFor(async () => (await a.peers()).some(p => p.peerId === bId && p.connected && p.name === 'right'), { timeoutMs: 10_000, what: 'a to list b' })
    await waitFor(async () => (await b.peers()).some(p => p.peerId === aId && p.connected && p.name === 'left'), { timeoutMs: 10_000, what: 'b to list a' })

    // a second node on the same data dir is refused while the first runs
    const clash = await SmeshProcess.start({ dataDir: a.dataDir, name: 'clash', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'], waitReady: false })
    const exit = await clash.waitExit()
    assert.equal(exit.code, 1)
    assert.match(clash.stderr, /already running with data dir/)
    assert.ok((await a.status()).uptimeMs > 0, 'the first node is untouched')
  })

  it('stops cleanly on SIGINT and SIGTERM, removing its API files', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const p = await SmeshProcess.start({ name: 'stopper', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
      assert.match(p.stdout, /peer id +12D3KooW/)
      assert.match(p.stdout, /control API +http:\/\/127\.0\.0\.1:\d+/)
      assert.match(p.stdout, /listening +\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
      p.kill(signal)
      const exit = await p.waitExit()
      assert.equal(exit.code, 0, `exit after ${signal}: ${p.stderr}`)
      for (const f of ['api.json', 'api.token', 'api.sock', 'node.lock']) {
        await assert.rejects(stat(join(p.dataDir, f)), { code: 'ENOENT' }, `${f} removed after ${signal}`)
      }
      assert.match(await readFile(join(p.dataDir, 'logs', 'smesh.log'), 'utf8'), /"event":"node:stop"/, 'the log was flushed to the end')
      const res = await p.cli(['status'])
      assert.equal(res.code, 3)
    }
  })
})
