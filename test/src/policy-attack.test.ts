import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'
import type { ChildProcess } from 'node:child_process'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']

/**
 * Matrix row 20: a member's modified node (it signs what its own node would
 * refuse, and publishes straight onto gossip) writes keys the mesh policy
 * blocks. Every honest node refuses them, stores nothing of that chain from
 * the first blocked entry on, and penalises the sender.
 */
describe('a modified node writing blocked keys straight onto gossip', { timeout: 120_000 }, () => {
  const procs: SmeshProcess[] = []
  let rogue: ChildProcess | undefined
  after(async () => {
    if (rogue?.exitCode === null) rogue.kill('SIGKILL')
    await Promise.all(procs.map(async p => { await p.stop() }))
  })

  it('0 entries stored on any honest node, and the sender is penalised', async (t) => {
    const root = await SmeshProcess.start({ name: 'root', args: LOOPBACK })
    procs.push(root)
    const rootAddr = (await root.id()).listenAddrs[0] as string
    const member = await SmeshProcess.start({ name: 'member', join: await root.invite(), args: [...LOOPBACK, '--peer', rootAddr] })
    procs.push(member)
    const set = await root.post<{ inForceAt: number }>('/v1/policy', { rules: [{ action: 'memory.write', subject: 'secrets/*', effect: 'block' }] })
    await waitFor(async () => (await member.api<{ inForceAt?: number }>('/v1/policy')).inForceAt === set.inForceAt, { timeoutMs: 10_000, what: 'the member to take the policy' })
    await new Promise(resolve => setTimeout(resolve, Math.max(0, set.inForceAt - Date.now()) + 200))

    // the modified node joins with a real invite, signs 20 blocked writes (valid signatures, valid chain) and publishes them
    const child = spawn(process.execPath, [fileURLToPath(new URL('./harness/flooder.js', import.meta.url))], {
      env: { ...process.env, SMESH_FLOOD_TOKEN: await root.invite(), SMESH_FLOOD_PEER: rootAddr, SMESH_FLOOD_COUNT: '20', SMESH_FLOOD_RATE: '20', SMESH_FLOOD_PREFIX: 'secrets/' },
      stdio: ['pipe', 'pipe', 'inherit']
    })
    rogue = child
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    const [, self, author] = await waitFor(() => /ready (\S+) (\S+)/.exec(out) ?? undefined, { timeoutMs: 60_000, what: 'the modified node to join and connect' }) as unknown as [string, string, string]
    child.stdin.write('go\n')
    await waitFor(() => /sent .*/.exec(out)?.[0], { timeoutMs: 30_000, what: 'the writes to go out' })
    // a sync would bring them too, if any node had taken them: give it time
    await new Promise(resolve => setTimeout(resolve, 3_000))
    for (const p of [root, member]) {
      assert.deepEqual(await p.memory('secrets/'), [], `${p.name} stores no blocked key`)
      assert.equal((await p.heads()).find(h => h.author === author), undefined, `${p.name} stores nothing of the modified node's chain`)
    }
    const refused = (await readFile(join(root.dataDir, 'logs', 'smesh.log'), 'utf8')).split('\n').filter(l => l.includes('"bus:reject"') && l.includes(self)).map(l => JSON.parse(l) as { reason: string, message: string })
    t.diagnostic(`the root refused ${refused.length} gossip message(s) of the modified node: ${refused[0]?.message ?? ''}`)
    assert.ok(refused.length > 0, 'the root refused the modified node\'s entries as invalid (gossip penalises the sender for each)')
    assert.equal(refused[0]?.reason, 'policy')
  })
})
