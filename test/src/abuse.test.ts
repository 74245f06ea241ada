import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SmeshProcess } from './harness/smesh-process.js'
import type { Socket } from 'node:net'

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']

interface Door { name: string, host: string, port: number, ok: { path: string, headers: Record<string, string> } }

/** One raw HTTP/1.1 request: the status line's code, or 0 when the server closed without answering. */
async function raw (door: Door, request: string): Promise<number> {
  return await new Promise((resolve) => {
    const s = connect(door.port, door.host)
    let data = ''
    s.on('data', (d) => { data += d.toString('latin1') })
    s.on('close', () => { resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)) })
    s.on('error', () => {})
    s.write(request)
    setTimeout(() => { s.destroy() }, 5_000)
  })
}

async function timedGet (door: Door): Promise<{ ms: number, status: number }> {
  const started = performance.now()
  const res = await fetch(`http://${door.host}:${door.port}${door.ok.path}`, { headers: door.ok.headers, signal: AbortSignal.timeout(10_000) })
  await res.arrayBuffer()
  return { ms: performance.now() - started, status: res.status }
}

/**
 * Matrix row 19: the control API and the gateway under abuse: no token, a
 * wrong token, a foreign Host, an Origin, oversized bodies, and slow-loris
 * clients holding hundreds of connections open while they dribble their
 * headers. Every abusive request is refused, and the node keeps answering.
 */
describe('reliability matrix: control API and gateway abuse', { timeout: 180_000 }, () => {
  let node: SmeshProcess
  const doors: Door[] = []
  before(async () => {
    node = await SmeshProcess.start({ name: 'target', args: LOOPBACK })
    const info = JSON.parse(await readFile(join(node.dataDir, 'api.json'), 'utf8')) as { url: string }
    const token = (await readFile(join(node.dataDir, 'api.token'), 'utf8')).trim()
    const api = new URL(info.url)
    const gw = new URL(await node.gateway())
    const key = await node.gatewayKey('abuse-test')
    doors.push({ name: 'control API', host: api.hostname, port: Number(api.port), ok: { path: '/v1/status', headers: { authorization: `Bearer ${token}` } } })
    doors.push({ name: 'gateway', host: gw.hostname, port: Number(gw.port), ok: { path: '/v1/models', headers: { authorization: `Bearer ${key}` } } })
  })
  after(async () => { await node?.stop() })

  it('row 19: no or a wrong token, a foreign Host, an Origin, an oversized body: 100 % refused', async (t) => {
    for (const door of doors) {
      const host = `${door.host}:${door.port}`
      const auth = door.ok.headers.authorization as string
      const cases: Array<[string, string, number[]]> = [
        ['no token', `GET ${door.ok.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, [401]],
        ['a wrong token', `GET ${door.ok.path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer wrong-${'x'.repeat(40)}\r\nConnection: close\r\n\r\n`, [401]],
        ['a foreign Host', `GET ${door.ok.path} HTTP/1.1\r\nHost: evil.example:${door.port}\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`, [403, 421]],
        ['an Origin', `GET ${door.ok.path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://evil.example\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`, [403]],
        ['a 64 MiB body', `POST ${door.name === 'gateway' ? '/v1/chat/completions' : '/v1/memory/set'} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\nConnection: close\r\n\r\n{"x":"${'a'.repeat(1000)}`, [413]]
      ]
      for (const [what, request, want] of cases) {
        const status = await raw(door, request)
        t.diagnostic(`${door.name}, ${what}: HTTP ${status}`)
        assert.ok(want.includes(status), `${door.name}, ${what}: HTTP ${status}, not ${want.join(' or ')}`)
      }
    }
  })

  it('row 19: 300 slow-loris connections on each server: they are cut off, and every honest request is answered meanwhile', async (t) => {
    const sockets: Array<{ s: Socket, closedAt?: number, answered: boolean }> = []
    const opened = Date.now()
    for (const door of doors) {
      for (let i = 0; i < 300; i++) {
        const s = connect(door.port, door.host)
        const rec: { s: Socket, closedAt?: number, answered: boolean } = { s, answered: false }
        s.on('data', (d) => { if (/^HTTP\/1\.1 2/.test(d.toString('latin1'))) rec.answered = true })
        s.on('close', () => { rec.closedAt = Date.now() })
        s.on('error', () => {})
        s.write(`GET ${door.ok.path} HTTP/1.1\r\nHost: ${door.host}:${door.port}\r\n`)
        sockets.push(rec)
      }
    }
    // they dribble a header byte every 2 s, forever
    const drip = setInterval(() => { for (const r of sockets) if (r.closedAt == null) r.s.write('X') }, 2_000)
    try {
      const latencies: number[] = []
      const until = Date.now() + 16_000
      while (Date.now() < until) {
        for (const door of doors) {
          const r = await timedGet(door)
          assert.equal(r.status, 200, `${door.name} answered ${r.status}`)
          latencies.push(r.ms)
        }
        await new Promise(resolve => setTimeout(resolve, 200))
      }
      latencies.sort((a, b) => a - b)
      const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1] as number
      const closed = sockets.filter(r => r.closedAt != null)
      const cutAfter = closed.map(r => (r.closedAt as number) - opened).sort((a, b) => a - b)
      t.diagnostic(`honest requests during the attack: ${latencies.length}, p99 ${p99.toFixed(1)} ms; slow connections cut: ${closed.length}/${sockets.length}, the last after ${((cutAfter[cutAfter.length - 1] ?? 0) / 1000).toFixed(1)} s`)
      assert.ok(p99 < 500, `p99 ${p99} ms`)
      assert.equal(closed.length, sockets.length, 'every slow-loris connection was cut off')
      assert.ok(sockets.every(r => !r.answered), 'no slow-loris request was served')
      assert.ok(node.running)
    } finally {
      clearInterval(drip)
      for (const r of sockets) r.s.destroy()
    }
  })
})
