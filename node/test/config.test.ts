import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { readEnv, readFlags, resolveConfig } from '../src/config/load.js'
import { resolveDataDir } from '../src/paths.js'
import { buildProviders } from '../src/inference/providers.js'

const dirs: string[] = []
after(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })
async function tmp (): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'smesh-config-'))
  dirs.push(d)
  return d
}

describe('configuration', () => {
  it('defaults: port 7370, WebSockets on 7372, mDNS on, API on 127.0.0.1:7371, the phone page on 7380', async () => {
    const c = await resolveConfig(await tmp(), {}, {})
    assert.deepEqual(c.listen, ['/ip4/0.0.0.0/tcp/7370', '/ip4/0.0.0.0/tcp/7372/ws'])
    assert.deepEqual(c.web, { port: 7380, stay: false })
    assert.equal(c.mdns, true)
    assert.equal(c.apiHost, '127.0.0.1')
    assert.equal(c.apiPort, 7371)
    assert.ok(c.excludeInterfaces.includes('docker*'))
  })

  it('the phone page: a port, any free one, or off, from the flag or the environment; a bad value is named', async () => {
    assert.deepEqual((await resolveConfig(await tmp(), { SMESH_WEB_PORT: '0', SMESH_WEB_STAY: '1' }, {})).web, { port: 0, stay: true })
    assert.equal((await resolveConfig(await tmp(), { SMESH_WEB_PORT: 'off' }, {})).web, null)
    await assert.rejects(resolveConfig(await tmp(), { SMESH_WEB_PORT: 'seventy' }, {}), /SMESH_WEB_PORT.*port number/)
    const dir = await tmp()
    assert.deepEqual((await resolveConfig(dir, { SMESH_WEB_TLS_CERT: 'web.crt', SMESH_WEB_TLS_KEY: '/etc/k.pem' }, {})).web?.tls, { certFile: join(dir, 'web.crt'), keyFile: '/etc/k.pem' })
    await assert.rejects(resolveConfig(dir, { SMESH_WEB_TLS_CERT: 'web.crt' }, {}), /webTlsCert is set without webTlsKey/)
  })

  it('layers: file, then env, then flags', async () => {
    const dir = await tmp()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ name: 'file', logLevel: 'warn', apiPort: 1, peers: ['/ip4/10.0.0.1/tcp/7370'] }))
    const c = await resolveConfig(dir, { SMESH_LOG_LEVEL: 'debug', SMESH_API_PORT: '2', SMESH_MDNS: 'off' }, readFlags({ apiPort: 3 }, {}))
    assert.equal(c.name, 'file')
    assert.equal(c.logLevel, 'debug')
    assert.equal(c.apiPort, 3)
    assert.equal(c.mdns, false)
    assert.deepEqual(c.peers, ['/ip4/10.0.0.1/tcp/7370'])
  })

  it('a bootstrap file adds static peers; a relative path in config.json is relative to the data dir', async () => {
    const dir = await tmp()
    await writeFile(join(dir, 'peers.txt'), '/ip4/10.0.0.2/tcp/7370  # desk\n# laptop\n/ip4/10.0.0.3/tcp/7370\n')
    await writeFile(join(dir, 'config.json'), JSON.stringify({ bootstrapFile: 'peers.txt', peers: ['/ip4/10.0.0.2/tcp/7370'] }))
    const c = await resolveConfig(dir, {}, {})
    assert.deepEqual(c.peers, ['/ip4/10.0.0.2/tcp/7370', '/ip4/10.0.0.3/tcp/7370'])
  })

  it('names the bad variable', () => {
    assert.throws(() => readEnv({ SMESH_MAX_MDNS_PEERS: '5000' }), /SMESH_MAX_MDNS_PEERS: .*1024/)
    assert.throws(() => readEnv({ SMESH_LOG_LEVEL: 'loud' }), /SMESH_LOG_LEVEL: /)
  })

  it('the gateway: 127.0.0.1:11435 by default, moved or turned off by env or flag, aliases from config.json', async () => {
    const dir = await tmp()
    const d = await resolveConfig(dir, {}, {})
    assert.deepEqual([d.gateway?.host, d.gateway?.port, d.gateway?.openLoopback], ['127.0.0.1', 11435, false])
    assert.equal((await resolveConfig(dir, { SMESH_GATEWAY_LISTEN: 'off' }, {})).gateway, null)
    const moved = await resolveConfig(dir, { SMESH_GATEWAY_LISTEN: '0.0.0.0:8080', SMESH_GATEWAY_OPEN_LOOPBACK: '1' }, readFlags({ gatewayListen: '[::1]:9000' }, {}))
    assert.deepEqual([moved.gateway?.host, moved.gateway?.port, moved.gateway?.openLoopback], ['::1', 9000, true])
    await writeFile(join(dir, 'config.json'), JSON.stringify({ modelAliases: { 'claude-*': 'qwen3:8b,best' }, gatewayCorsOrigins: ['http://localhost:3000'] }))
    const c = await resolveConfig(dir, {}, {})
    assert.deepEqual(c.gateway?.aliases, { 'claude-*': 'qwen3:8b,best' })
    assert.deepEqual(c.gateway?.corsOrigins, ['http://localhost:3000'])
    assert.throws(() => readEnv({ SMESH_GATEWAY_LISTEN: 'everywhere' }), /SMESH_GATEWAY_LISTEN: must be HOST:PORT/)
    assert.throws(() => readFlags({ gatewayListen: 'x' }, { gatewayListen: '--gateway-listen' }), /--gateway-listen: must be HOST:PORT/)
    await writeFile(join(dir, 'config.json'), JSON.stringify({ gatewayCorsOrigins: ['http://a.example/path'] }))
    await assert.rejects(resolveConfig(dir, {}, {}), /field "gatewayCorsOrigins\[0\]": must be an origin/)
  })

  it('the embedded provider: on by default on <data dir>/models, off by SMESH_LLAMA, tuned in providers; settings of another kind are named', async () => {
    const dir = await tmp()
    const d = await resolveConfig(dir, {}, {})
    assert.equal(d.inference.modelsDir, join(dir, 'models'))
    const names = (c: typeof d): string[] => buildProviders(c.inference, {}).map(p => `${p.name}:${p.kind}`)
    assert.deepEqual(names(d), ['ollama:ollama', 'llama:llama'])
    assert.deepEqual(names(await resolveConfig(dir, { SMESH_LLAMA: 'off' }, {})), ['ollama:ollama'])
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ollamaUrl: 'off', providers: [{ name: 'gguf', kind: 'llama', threads: 2, keepAlive: '30s', dir: 'elsewhere', offer: 'local' }] }))
    const tuned = await resolveConfig(dir, {}, {})
    assert.deepEqual(names(tuned), ['gguf:llama'], 'a configured one replaces the default')
    assert.equal(tuned.inference.providers[0]?.dir, join(dir, 'elsewhere'), 'relative to the data dir')
    await writeFile(join(dir, 'config.json'), JSON.stringify({ providers: [{ name: 'o', kind: 'ollama', threads: 2 }] }))
    await assert.rejects(resolveConfig(dir, {}, {}), /threads.*only the embedded provider \(kind llama\) takes threads/)
    await writeFile(join(dir, 'config.json'), JSON.stringify({ providers: [{ name: 'l', kind: 'llama', url: 'http://127.0.0.1:1' }] }))
    await assert.rejects(resolveConfig(dir, {}, {}), /the embedded provider \(kind llama\) takes no url/)
    await writeFile(join(dir, 'config.json'), JSON.stringify({ providers: [{ name: 'l', kind: 'llama', keepAlive: 'forever' }] }))
    await assert.rejects(resolveConfig(dir, {}, {}), /keepAlive.*must be a duration such as 30s, 5m or 1h/)
  })

  it('data dir: flag, then SMESH_DATA_DIR, then the platform default (XDG on Linux)', () => {
    assert.equal(resolveDataDir('/a', { SMESH_DATA_DIR: '/b' }), '/a')
    assert.equal(resolveDataDir(undefined, { SMESH_DATA_DIR: '/b' }), '/b')
    assert.match(resolveDataDir(undefined, {}), /smesh$/)
  })
})
