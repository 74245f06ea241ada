import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tinyModel } from '../fixtures/tiny-gguf.js'
import { runClient } from './harness/clients.js'
import { netnsUnavailable } from './harness/exec.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { cleanEnv, runCli, waitFor } from './harness/smesh-process.js'
import { tempDir } from './harness/tmp.js'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SmeshProcess } from './harness/smesh-process.js'
import type { ModelsView } from '@smesh/node'

const skip = netnsUnavailable()

/** A file server on loopback that honours Range, and cuts the connection of the first whole download at 40 %. */
async function fileServer (bytes: Buffer): Promise<{ url: string, server: Server, ranges: string[], cutOnce: { armed: boolean } }> {
  const ranges: string[] = []
  const cutOnce = { armed: true }
  const server = createServer((req, res) => {
    const range = req.headers.range
    ranges.push(range ?? 'none')
    const m = /^bytes=(\d+)-$/.exec(range ?? '')
    const from = m != null ? Number(m[1]) : 0
    const headers = { etag: '"tiny-1"', 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' }
    if (from > 0) {
      res.writeHead(206, { ...headers, 'content-length': bytes.length - from, 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` })
      res.end(bytes.subarray(from))
      return
    }
    res.writeHead(200, { ...headers, 'content-length': bytes.length })
    if (cutOnce.armed) {
      cutOnce.armed = false
      res.write(bytes.subarray(0, Math.floor(bytes.length * 0.4)), () => { setTimeout(() => { res.socket?.destroy() }, 50) })
      return
    }
    res.end(bytes)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/tiny-chat.gguf`, server, ranges, cutOnce }
}

/**
 * Two devices of a namespace LAN: a laptop with no model of its own but an
 * Ollama (a fixture) holding a model of a large context, and a server given
 * a tiny GGUF model with `smesh model add` from a loopback URL. The mesh
 * answers from the server's own llama.cpp, through the CLI and through the
 * gateway's SDK clients; a prompt too long for it goes to the Ollama.
 */
describe('embedded models on the mesh: added from a URL, served to a peer by the CLI and the gateway', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let laptop: SmeshProcess
  let server: SmeshProcess
  let files: Awaited<ReturnType<typeof fileServer>>
  let ollama: FixtureProcess
  const bytes = tinyModel({ contextLength: 512 })
  const sha256 = createHash('sha256').update(bytes).digest('hex')

  before(async () => {
    lan = await Lan.create(2)
    files = await fileServer(bytes)
    // one llama.cpp thread: the tiny model is fastest so on two shared cores
    const serverDir = tempDir('smesh-llama-server')
    writeFileSync(join(serverDir, 'config.json'), JSON.stringify({ providers: [{ name: 'llama', kind: 'llama', gpu: 'none', threads: 1, contextSize: 512 }] }))
    ollama = await FixtureProcess.start({ kind: 'ollama', ns: lan.hosts[0]?.ns, script: { models: [{ name: 'llama3.2:3b', family: 'llama', contextLength: 131072, loaded: true }], reply: ['a ', 'long ', 'context ', 'answer.'] } })
    ;[laptop, server] = await startMesh([
      { ns: lan.hosts[0]?.ns, name: 'laptop', env: cleanEnv({ SMESH_OLLAMA_URL: ollama.url, SMESH_LLAMA: 'off' }) },
      { ns: lan.hosts[1]?.ns, name: 'server', dataDir: serverDir, env: cleanEnv({ SMESH_OLLAMA_URL: 'off' }) }
    ]) as [SmeshProcess, SmeshProcess]
  })
  after(async () => {
    await Promise.all([laptop, server].filter(p => p != null).map(async p => { await p.stop() }))
    await ollama?.stop()
    files?.server.close()
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('smesh model add: a wrong checksum is refused; a cut download is not offered, and resumes where it stopped', async () => {
    const dir = server.dataDir
    files.cutOnce.armed = false
    const wrong = await runCli(['model', 'add', files.url, '--name', 'tiny', '--sha256', 'ab'.repeat(32), '--data-dir', dir], { env: cleanEnv() })
    assert.equal(wrong.code, 1, wrong.stderr)
    assert.match(wrong.stderr, new RegExp(`SHA-256 is ${sha256}, not the abab`))
    assert.match(wrong.stderr, /hint: .*check the --sha256 value/)
    files.cutOnce.armed = true
    files.ranges.length = 0
    const cut = await runCli(['model', 'add', files.url, '--name', 'tiny', '--sha256', sha256, '--data-dir', dir], { env: cleanEnv() })
    assert.equal(cut.code, 1, cut.stderr)
    assert.match(cut.stderr, /stopped at \d+ of \d+ bytes/)
    assert.match(cut.stderr, /hint: run the same command again: it resumes where it stopped/)
    assert.match(cut.stderr, /downloading \d+ KiB of 560 KiB \(\d+%\), [\d.]+ [KM]iB\/s/, 'progress with the rate')
    assert.ok(existsSync(join(dir, 'models', 'tiny.gguf.part')), 'the part is kept')
    assert.ok(!(await server.api<ModelsView>('/v1/models')).models.some(m => m.model === 'tiny'), 'nothing is offered')
    const listed = JSON.parse((await runCli(['model', 'ls', '--json', '--data-dir', dir], { env: cleanEnv() })).stdout) as { models: unknown[] }
    assert.deepEqual(listed.models, [])
    const resumed = await runCli(['model', 'add', files.url, '--name', 'tiny', '--sha256', sha256, '--data-dir', dir], { env: cleanEnv() })
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(files.ranges.at(-1) ?? '', /^bytes=\d+-$/, 'the second run asked for the rest only')
    assert.ok(Number(/bytes=(\d+)-/.exec(files.ranges.at(-1) ?? '')?.[1]) > 0)
    assert.match(resumed.stderr, /resumed at \d+ KiB/)
    assert.match(resumed.stdout, new RegExp(`added tiny: 560 KiB, llama, \\d+K parameters, F32, context 512, embeddings 64\\nsha256 ${sha256}`))
    const ls = await runCli(['model', 'ls', '--data-dir', dir], { env: cleanEnv() })
    assert.match(ls.stdout, /tiny\s+560 KiB\s+llama\s+\d+K\s+F32\s+512\s+64\s+[0-9a-f]{12}/)
  })

  it('the model is advertised with what its file says, and the laptop sees it', async () => {
    await waitFor(async () => (await laptop.api<ModelsView>('/v1/models')).models.some(m => m.model === 'tiny'), { timeoutMs: 30_000, what: 'the laptop to see the server\'s model' })
    const row = (await laptop.api<ModelsView>('/v1/models')).models.find(m => m.model === 'tiny')
    assert.ok(row != null)
    assert.equal(row.device, 'server')
    assert.equal(row.kind, 'llama')
    assert.equal(row.tier, 'local')
    assert.equal(row.digest, `sha256:${sha256}`)
    assert.equal(row.family, 'llama')
    assert.equal(row.contextLength, 512)
    assert.equal(row.embeddingLength, 64)
    assert.ok(row.parameters > 100_000)
    assert.deepEqual(row.capabilities, ['completion', 'json', 'embedding'])
    assert.equal(row.warm, false, 'not loaded before its first task')
  })

  it('smesh run on the laptop is answered by the server\'s embedded model, token by token, with max tokens held', async () => {
    const r = await laptop.cli(['run', 'hello mesh', '--model', 'tiny', '--max-tokens', '16', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const done = JSON.parse(r.stdout) as { device: string, provider: string, outputTokens: number, model: string, text?: string }
    assert.equal(done.device, 'server')
    assert.equal(done.provider, 'llama')
    assert.equal(done.outputTokens, 16)
    await waitFor(async () => (await laptop.api<ModelsView>('/v1/models')).models.find(m => m.model === 'tiny')?.warm === true, { timeoutMs: 20_000, what: 'the model to be advertised warm' })
  })

  it('through the laptop\'s gateway: the OpenAI SDK streams a chat and gets embeddings of the advertised length', async () => {
    const url = await laptop.gateway()
    const key = await laptop.gatewayKey('sdk')
    const chat = await runClient('openai-stream', { url, key, model: 'tiny', prompt: 'hello', maxTokens: 20 }, { ns: laptop.ns })
    assert.equal(chat.type, 'result', JSON.stringify(chat))
    assert.ok(chat.chunks >= 3, `${String(chat.chunks)} chunks`)
    assert.equal(chat.usage.completion_tokens, 20)
    assert.equal(chat.finish, 'length')
    const emb = await runClient('openai-embeddings', { url, key, model: 'tiny', input: ['hello world', 'the mesh'] }, { ns: laptop.ns })
    assert.equal(emb.type, 'result', JSON.stringify(emb))
    assert.equal(emb.float.length, 2)
    for (const [, v] of emb.float as Array<[number, number[]]>) assert.equal(v.length, 64)
  })

  it('smesh embed on the laptop: vectors from the server\'s model', async () => {
    const r = await laptop.cli(['embed', 'hello world', 'second text', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const v = JSON.parse(r.stdout) as { device: string, dimensions: number, vectors: number[][], model: string }
    assert.equal(v.device, 'server')
    assert.equal(v.model, 'tiny')
    assert.equal(v.dimensions, 64)
    assert.equal(v.vectors.length, 2)
    const text = await laptop.cli(['embed', 'one line'])
    assert.equal(text.code, 0, text.stderr)
    assert.equal((JSON.parse(text.stdout) as number[]).length, 64)
    assert.match(text.stderr, /1 vector of 64 dimensions · tiny on llama · server/)
  })

  it('a prompt longer than the model\'s context never goes to it: refused with the reason, or served by a model it fits', async () => {
    const long = 'mesh node '.repeat(300)
    const r = await laptop.cli(['run', long, '--model', 'tiny'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /context/i)
    assert.match(r.stderr, /512/)
    const elsewhere = await laptop.cli(['run', long, '--model', 'tiny,llama3.2:3b'])
    assert.equal(elsewhere.code, 0, elsewhere.stderr)
    assert.equal(elsewhere.stdout.trim(), 'a long context answer.')
    assert.match(elsewhere.stderr, /served by laptop .* llama3\.2:3b on ollama/)
    const short = await laptop.cli(['run', 'hi', '--model', 'tiny,llama3.2:3b', '--max-tokens', '4'])
    assert.equal(short.code, 0, short.stderr)
    assert.match(short.stderr, /served by server .* tiny on llama/, 'the first of the list when it fits')
  })

  it('smesh model rm: the model leaves the mesh', async () => {
    const r = await runCli(['model', 'rm', 'tiny', '--data-dir', server.dataDir], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    await waitFor(async () => !(await laptop.api<ModelsView>('/v1/models')).models.some(m => m.model === 'tiny'), { timeoutMs: 30_000, what: 'the laptop to lose the model' })
    const again = await runCli(['model', 'rm', 'tiny', '--data-dir', server.dataDir], { env: cleanEnv() })
    assert.equal(again.code, 1)
    assert.match(again.stderr, /no model "tiny"[\s\S]*hint: see the models on this device with smesh model ls/)
  })
})
