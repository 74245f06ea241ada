import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SmeshProcess, runCli } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { ApiInfo } from '@smesh/node'

interface Reply { status: number, body: string, headers: Record<string, unknown> }

async function get (target: { port?: number, socketPath?: string }, path: string, headers: Record<string, string>): Promise<Reply> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', ...target, path, method: 'GET', headers, setHost: false }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, headers: res.headers }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('control API', { timeout: 60_000 }, () => {
  let node: SmeshProcess
  let info: ApiInfo
  let token: string
  let tcp: { port: number }

  before(async () => {
    node = await SmeshProcess.start({ name: 'api', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'] })
    info = JSON.parse(await readFile(join(node.dataDir, 'api.json'), 'utf8'))
    token = (await readFile(join(node.dataDir, 'api.token'), 'utf8')).trim()
    tcp = { port: Number(new URL(info.url).port) }
  })
  after(async () => { await node.stop() })

  it('listens on 127.0.0.1 only and answers with the right token', async () => {
    assert.equal(new URL(info.url).hostname, '127.0.0.1')
    const ok = await get(tcp, '/v1/status', { host: `127.0.0.1:${tcp.port}`, authorization: `Bearer ${token}` })
    assert.equal(ok.status, 200)
    assert.equal(JSON.parse(ok.body).name, 'api')
    const viaSocket = await get({ socketPath: join(node.dataDir, 'api.sock') }, '/v1/id', { host: 'localhost', authorization: `Bearer ${token}` })
    assert.equal(viaSocket.status, 200)
  })

  it('the token file and API info are private to the user', async () => {
    const { stat } = await import('node:fs/promises')
    for (const f of ['api.token', 'api.json', 'api.sock']) {
      assert.equal((await stat(join(node.dataDir, f))).mode & 0o777, 0o600, `${f} mode`)
    }
  })

  it('busy ports and a bad socket path are clear errors, and no file is deleted', async () => {
    const { writeFile } = await import('node:fs/promises')
    /** A data dir of a mesh of its own (smesh init), so start gets as far as its ports. */
    const meshDir = async (dir = tempDir()): Promise<string> => {
      const r = await runCli(['init', '--data-dir', dir])
      assert.equal(r.code, 0, r.stderr)
      return dir
    }
    const apiClash = await runCli(['start', '--data-dir', await meshDir(), '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', String(tcp.port)])
    assert.equal(apiClash.code, 1)
    assert.match(apiClash.stderr, new RegExp(`the control API address 127\\.0\\.0\\.1:${tcp.port} is already in use`))
    assert.match(apiClash.stderr, /hint: .*--api-port 0/)
    const listen = (await node.id()).listenAddrs[0]?.replace(/\/p2p\/.*/, '') ?? ''
    const p2pClash = await runCli(['start', '--data-dir', await meshDir(), '--no-mdns', '--listen', listen, '--api-port', '0'])
    assert.equal(p2pClash.code, 1)
    assert.match(p2pClash.stderr, /the libp2p listen address .* is already in use/)
    const dir = await meshDir()
    const precious = join(dir, 'notes.txt')
    await writeFile(precious, 'keep me')
    const sockClash = await runCli(['start', '--data-dir', dir, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--api-socket', precious])
    assert.equal(sockClash.code, 1)
    assert.match(sockClash.stderr, /notes\.txt exists and is not a socket/)
    assert.equal(await readFile(precious, 'utf8'), 'keep me')
    const liveSock = await runCli(['start', '--data-dir', await meshDir(), '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--api-socket', join(node.dataDir, 'api.sock')])
    assert.match(liveSock.stderr, /another process is serving on the control socket/)
    assert.equal((await get({ socketPath: join(node.dataDir, 'api.sock') }, '/v1/id', { host: 'localhost', authorization: `Bearer ${token}` })).status, 200, 'the running node keeps its socket')
  })

  it('a missing or wrong token gets 401 and nothing else', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${token}x`, token, `Basic ${token}`]) {
      const headers: Record<string, string> = { host: `127.0.0.1:${tcp.port}` }
      if (auth != null) headers.authorization = auth
      for (const path of ['/v1/status', '/v1/peers', '/nope']) {
        const r = await get(tcp, path, headers)
        assert.equal(r.status, 401, `${path} with ${auth ?? 'no token'}`)
        assert.equal(r.body, '', 'a 401 carries no body')
      }
    }
  })

  it('a non-loopback Host header is refused (DNS rebinding)', async () => {
    for (const host of ['evil.example:' + tcp.port, `192.168.1.5:${tcp.port}`, `127.0.0.1:${tcp.port + 1}`, '']) {
      const r = await get(tcp, '/v1/status', { host, authorization: `Bearer ${token}` })
      assert.equal(r.status, 403, `Host ${host}`)
      assert.ok(!r.body.includes('peerId'))
    }
  })

  it('a request from another origin is refused (browsers); only the dashboard\'s own page, on this very address, may call', async () => {
    for (const origin of ['https://evil.example', 'null', `http://localhost:${tcp.port}`, `http://127.0.0.1:${tcp.port + 1}`]) {
      const r = await get(tcp, '/v1/status', { host: `127.0.0.1:${tcp.port}`, origin, authorization: `Bearer ${token}` })
      assert.equal(r.status, 403, `Origin ${origin}`)
      assert.ok(!r.body.includes('peerId'))
    }
    const own = await get(tcp, '/v1/status', { host: `127.0.0.1:${tcp.port}`, origin: `http://127.0.0.1:${tcp.port}`, authorization: `Bearer ${token}` })
    assert.equal(own.status, 200)
    const viaSocket = await get({ socketPath: join(node.dataDir, 'api.sock') }, '/v1/id', { host: 'localhost', origin: 'http://localhost', authorization: `Bearer ${token}` })
    assert.equal(viaSocket.status, 403, 'no page is served on the socket: no browser has a reason to call it')
  })

  it('with no node running, every read command says so in one line and exits 3', async () => {
    const empty = tempDir()
    for (const cmd of [['id'], ['peers'], ['topology'], ['status'], ['peers', '--json']]) {
      const r = await runCli([...cmd, '--data-dir', empty])
      assert.equal(r.code, 3, `${cmd.join(' ')}: ${r.stderr}`)
      assert.equal(r.stdout, '')
      const lines = r.stderr.trim().split('\n')
      assert.equal(lines.length, 1, `one line: ${r.stderr}`)
      assert.match(lines[0] ?? '', /no smesh node is running with data dir .*; start one with: smesh start --data-dir /)
    }
  })

  it('--help is complete for the program and every command', async () => {
    const top = await runCli(['--help'])
    assert.equal(top.code, 0)
    for (const cmd of ['start', 'init', 'join', 'invite', 'members', 'revoke', 'policy', 'approvals', 'approve', 'id', 'peers', 'topology', 'status']) assert.match(top.stdout, new RegExp(`\\n  ${cmd}\\b`))
    const start = await runCli(['start', '--help'])
    for (const flag of ['--data-dir', '--listen', '--peer', '--bootstrap', '--no-mdns', '--interface', '--name', '--api-port', '--api-socket', '--log-level']) {
      assert.ok(start.stdout.includes(flag), `start --help mentions ${flag}`)
    }
    assert.match(start.stdout, /Ports: TCP 7370/)
    const join = await runCli(['join', '--help'])
    for (const flag of ['--listen', '--peer', '--no-mdns', '--no-start', '--name']) assert.ok(join.stdout.includes(flag), `join --help mentions ${flag}`)
    const invite = await runCli(['invite', '--help'])
    for (const flag of ['--scopes', '--ttl', '--lease', '--no-renew', '--qr', '--json']) assert.ok(invite.stdout.includes(flag), `invite --help mentions ${flag}`)
    for (const cmd of ['id', 'peers', 'status', 'members', 'mesh', 'approvals']) {
      const h = await runCli([cmd, '--help'])
      assert.match(h.stdout, /--json/)
      assert.match(h.stdout, /--data-dir/)
    }
    assert.match((await runCli(['topology', '--help'])).stdout, /--dot/)
    const bad = await runCli(['frobnicate'])
    assert.equal(bad.code, 2)
  })
})
