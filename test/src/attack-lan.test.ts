import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { meshServiceTag } from '@smesh/mesh'
import { faultsUnavailable, nsExec } from './harness/faults.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { SmeshProcess, waitFor } from './harness/smesh-process.js'

const skip = faultsUnavailable()

/** Runs a harness script inside a namespace and returns its stdout once it exits. */
async function inNs (ns: string, script: string, env: Record<string, string>): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(new URL(`./harness/${script}`, import.meta.url))], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  await new Promise(resolve => child.once('exit', resolve))
  return out
}

/**
 * Matrix rows 14 and 16, on a LAN of namespaces: a node (host 0), a member
 * (host 1) and an attacker on the same LAN (host 2).
 */
describe('reliability matrix: attacks from a host on the LAN', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let victim: SmeshProcess
  let member: SmeshProcess
  before(async () => {
    lan = await Lan.create(3)
    ;[victim, member] = await startMesh([0, 1].map(i => ({ ns: lan.hosts[i]?.ns, name: ['victim', 'member'][i] }))) as [SmeshProcess, SmeshProcess]
    await waitFor(async () => (await victim.peers()).some(p => p.connected), { timeoutMs: 20_000, what: 'the two to connect' })
  })
  after(async () => {
    await Promise.all([victim, member].filter(p => p != null).map(async p => { await p.stop() }))
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('row 14: 1,000 connection attempts and half-open handshakes from one host: members still connect, event-loop delay p99 < 100 ms', async (t) => {
    const port = Number(/\/tcp\/(\d+)/.exec((await victim.id()).listenAddrs.find(a => a.includes(lan.hosts[0]?.ip as string)) ?? '')?.[1])
    await member.stop()
    const flood = inNs(lan.hosts[2]?.ns as string, 'conn-flood.js', { FLOOD_HOST: lan.hosts[0]?.ip as string, FLOOD_PORT: String(port), FLOOD_COUNT: '1000', FLOOD_PARALLEL: '200', FLOOD_HOLD_MS: '5000' })
    await new Promise(resolve => setTimeout(resolve, 1_000))
    // a member comes back in the middle of the flood
    const back = Date.now()
    const again = await SmeshProcess.start({ ns: lan.hosts[1]?.ns, name: 'member', dataDir: member.dataDir, init: false })
    member = again
    await waitFor(async () => (await victim.peers()).some(p => p.name === 'member' && p.connected), { timeoutMs: 30_000, what: 'the member to connect during the flood' })
    const connectedMs = Date.now() - back
    const e = await member.memorySet('during/flood', 1)
    await waitFor(async () => (await victim.memory('during/')).some(m => m.hash === e.hash), { timeoutMs: 10_000, what: 'the member\'s write to reach the node' })
    const summary = JSON.parse((await flood).trim()) as { attempts: number, opened: number, refused: number, closedByNode: number }
    await new Promise(resolve => setTimeout(resolve, 10_500))
    const health = (await victim.status()).health
    t.diagnostic(`flood ${JSON.stringify(summary)}; the member connected ${connectedMs} ms after it started; event loop over the last 10 s: ${JSON.stringify(health.eventLoop)}`)
    assert.ok(summary.opened + summary.refused >= 1000)
    assert.ok(health.eventLoop.p99Ms < 100, `p99 ${health.eventLoop.p99Ms} ms`)
    assert.ok(victim.running)
  })

  it('row 16: forged mDNS answers, 1,000 a second, public and loopback addresses among them: 0 dials to them, the mDNS peer cap holds', async (t) => {
    const ns = lan.hosts[0]?.ns as string
    // a default route, so that a dial to a public address would leave a SYN to count; every dial to the forged port is counted and dropped
    await nsExec(ns, 'ip', 'route', 'add', 'default', 'dev', 'eth0')
    await nsExec(ns, 'iptables', '-A', 'OUTPUT', '-p', 'tcp', '--syn', '--dport', '4001', '!', '-d', '10.213.7.0/24', '-j', 'DROP')
    await nsExec(ns, 'iptables', '-A', 'OUTPUT', '-p', 'tcp', '--syn', '--dport', '4001', '-d', '10.213.7.0/24', '-j', 'DROP')
    const mesh = (await victim.status()).mesh
    const out = await inNs(lan.hosts[2]?.ns as string, 'mdns-forger.js', { FORGE_TAG: meshServiceTag(mesh), FORGE_RATE: '1000', FORGE_SECONDS: '15', FORGE_PEERS: '400' })
    const counters = (await nsExec(ns, 'iptables', '-L', 'OUTPUT', '-v', '-x', '-n')).split('\n').filter(l => l.includes('dpt:4001')).map(l => Number(l.trim().split(/\s+/)[0]))
    const [outside, inside] = counters as [number, number]
    const s = await victim.status()
    t.diagnostic(`${out.trim()}; SYNs to forged addresses outside the LAN: ${outside}, inside: ${inside}; mDNS peers held ${s.discovery?.mdnsPeers}, new ones ignored ${s.discovery?.mdnsRefused}; event loop ${JSON.stringify(s.health.eventLoop)}`)
    assert.match(out, /sent (\d{4,})/)
    assert.equal(outside, 0, 'no dial to a public or loopback address')
    assert.ok((s.discovery?.mdnsPeers ?? 0) <= 64, 'the cap holds')
    assert.ok((s.discovery?.mdnsRefused ?? 0) > 0, 'forged peers beyond the cap were ignored')
    assert.ok((await victim.peers()).some(p => p.name === 'member' && p.connected), 'the member is still connected')
    await nsExec(ns, 'iptables', '-F')
  })
})
