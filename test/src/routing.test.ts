import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { netnsUnavailable } from './harness/exec.js'
import { FixtureProcess } from './harness/fixture-process.js'
import { Lan, listOwnNamespaces } from './harness/lan.js'
import { startMesh } from './harness/mesh.js'
import { nodeHaystacks, secretForms } from './harness/secrets.js'
import { cleanEnv, spawnCli, waitFor } from './harness/smesh-process.js'
import type { CliRun, SmeshProcess } from './harness/smesh-process.js'
import type { FixtureScript } from '../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'
import type { TaskOutcome, TaskView } from '@smesh/tasks'

const skip = netnsUnavailable()

/** The cloud box's API key: no byte of it may leave that node, in any encoding. */
const CANARY = `sk-ant-canary-${Date.now().toString(36)}-0123456789abcdef`
const ANSWER = ['Mesh ', 'routing ', 'keeps ', 'your ', 'context ', 'on ', 'your ', 'own ', 'devices, ', 'and ', 'moves ', 'work ', 'when ', 'a ', 'peer ', 'fails.']
const FULL = ANSWER.join('')

const llama = (loaded: boolean): FixtureScript['models'][number] => ({ name: 'llama3.2:3b', family: 'llama', digest: loaded ? 'warm0001' : 'cold0002', size: 2_019_393_189, quantization: 'Q4_K_M', loaded })

/** A `smesh run` in a namespace, its output gathered as it streams. */
function runStreaming (ns: string, dataDir: string, args: string[]): { child: CliRun['child'], out: () => string, err: () => string, done: Promise<number | null> } {
  const r = spawnCli(['run', ...args, '--data-dir', dataDir], { ns, timeoutMs: 60_000 })
  return { child: r.child, out: r.stdout, err: r.stderr, done: r.done.then(x => x.code) }
}

/**
 * Four devices on a LAN of namespaces: a laptop with no model, a desktop
 * whose Ollama has llama3.2:3b on disk (cold) and qwen3:8b, a server whose
 * Ollama has llama3.2:3b in memory (warm), and a box holding a Claude key.
 * Every backend is a fixture process in its device's namespace.
 */
describe('inference routing: tasks go to the best peer, within their residency, and survive failures', { skip, timeout: 300_000 }, () => {
  let lan: Lan
  let laptop: SmeshProcess
  let desktop: SmeshProcess
  let server: SmeshProcess
  let cloudbox: SmeshProcess
  let desktopOllama: FixtureProcess
  let serverOllama: FixtureProcess
  let claude: FixtureProcess
  const cliOutput: string[] = []
  const ns = (i: number): string => lan.hosts[i]?.ns as string
  const run = async (p: SmeshProcess, args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> => {
    const r = runStreaming(p.ns as string, p.dataDir, args)
    const code = await r.done
    cliOutput.push(r.out(), r.err())
    return { code, stdout: r.out(), stderr: r.err() }
  }
  const tasks = async (p: SmeshProcess): Promise<TaskView[]> => await p.api<TaskView[]>('/v1/tasks?limit=50')

  before(async () => {
    lan = await Lan.create(4)
    const script = (models: FixtureScript['models']): FixtureScript => ({ models, reply: ANSWER, tokenDelayMs: 5, continuation: true })
    ;[desktopOllama, serverOllama, claude] = await Promise.all([
      FixtureProcess.start({ kind: 'ollama', ns: ns(1), script: script([llama(false), { name: 'qwen3:8b', family: 'qwen3', digest: 'qwen0003', loaded: false }]) }),
      FixtureProcess.start({ kind: 'ollama', ns: ns(2), script: script([llama(true)]) }),
      FixtureProcess.start({ kind: 'anthropic', ns: ns(3), script: script([{ name: 'claude-sonnet-4-5' }]) })
    ])
    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => cleanEnv({ SMESH_OLLAMA_URL: 'off', ...extra })
    ;[laptop, desktop, server, cloudbox] = await startMesh([
      { ns: ns(0), name: 'laptop', env: env({}) },
      { ns: ns(1), name: 'desktop', env: env({ SMESH_OLLAMA_URL: desktopOllama.url }) },
      { ns: ns(2), name: 'server', env: env({ SMESH_OLLAMA_URL: serverOllama.url }) },
      { ns: ns(3), name: 'cloudbox', env: env({ SMESH_ANTHROPIC_API_KEY: CANARY, SMESH_ANTHROPIC_URL: claude.url }) }
    ]) as [SmeshProcess, SmeshProcess, SmeshProcess, SmeshProcess]
    for (const p of [laptop, desktop, server, cloudbox]) {
      await waitFor(async () => (await p.api<ModelsView>('/v1/models')).models.length >= 4, { timeoutMs: 30_000, what: `${p.name} to see all four models` })
    }
  })
  after(async () => {
    await Promise.all([laptop, desktop, server, cloudbox].filter(p => p != null).map(async p => { await p.stop() }))
    await Promise.all([desktopOllama, serverOllama, claude].filter(f => f != null).map(async f => { await f.stop() }))
    await lan?.destroy()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('smesh models shows the mesh-wide table from any device, with tier and warmth', async () => {
    const v = await laptop.api<ModelsView>('/v1/models')
    const row = (device: string, model: string): ModelsView['models'][number] | undefined => v.models.find(m => m.device === device && m.model === model)
    assert.equal(row('server', 'llama3.2:3b')?.warm, true)
    assert.equal(row('desktop', 'llama3.2:3b')?.warm, false)
    assert.equal(row('cloudbox', 'claude-sonnet-4-5')?.tier, 'cloud')
    assert.equal(row('desktop', 'qwen3:8b')?.tier, 'local')
    const text = await run(laptop, [])
    assert.equal(text.code, 2, 'no prompt is a usage error')
    const table = await laptop.cli(['models'])
    cliOutput.push(table.stdout)
    assert.match(table.stdout, /llama3\.2:3b\s+server\s+ollama\s+local\s+yes/)
  })

  it('a task from a device with no model runs on the peer that has it, the warm one of two, and a preference list takes the first available', async () => {
    const r = await run(laptop, ['why mesh?', '--model', 'llama3.2:3b', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const outcome = JSON.parse(r.stdout) as TaskOutcome
    assert.equal(outcome.text, FULL)
    assert.equal(outcome.device, 'server', 'the warm copy wins')
    assert.equal(outcome.digest, 'warm0001')
    assert.equal((await desktopOllama.chats()).length, 0)
    const pref = await run(laptop, ['why mesh?', '--model', 'mistral:7b,qwen3:8b,llama3.2:3b'])
    assert.equal(pref.code, 0, pref.stderr)
    assert.equal(pref.stdout, FULL + '\n')
    assert.match(pref.stderr, /served by desktop .*qwen3:8b on ollama · local/)
    const listed = await waitFor(async () => (await tasks(laptop)).filter(t => t.status === 'done' && t.attested).length >= 2 ? await tasks(laptop) : undefined, { timeoutMs: 10_000, what: 'the task records and the serving peers\' results on the bus' })
    assert.deepEqual(listed.filter(t => t.status === 'done').map(t => t.device).sort(), ['desktop', 'server'])
    // one record per task, on every device: no request, assignment or result entries beside it (the server's receipt is inside)
    for (const p of [laptop, server]) {
      const mine = await waitFor(async () => {
        const log = await p.api<Array<{ kind: string, size: number, body: { task?: string, receipt?: string } }>>('/v1/bus/log?limit=500')
        const of = log.filter(e => e.body?.task === outcome.task)
        return of.length > 0 && of
      }, { timeoutMs: 10_000, what: `the task's record on ${p.name}` })
      assert.deepEqual(mine.map(e => e.kind), ['task.done'])
      assert.equal(typeof mine[0]?.body.receipt, 'string', 'the serving node\'s receipt is in the record')
      assert.ok((mine[0]?.size ?? Infinity) < 6_000, `a task's bytes on the bus: ${mine[0]?.size}`)
    }
  })

  it('residency mesh with only a cloud provider for the model fails closed: the cloud receives nothing and the denial is on the bus', async () => {
    const r = await run(laptop, ['secret plans', '--model', 'claude-sonnet-4-5', '--residency', 'mesh'])
    assert.equal(r.code, 7, r.stderr)
    assert.match(r.stderr, /residency mesh forbids .*cloud provider claude on cloudbox/)
    assert.match(r.stderr, /hint: /)
    assert.equal(r.stdout, '')
    assert.equal((await claude.chats()).length, 0, 'the cloud fixture received no chat')
    const denied = await waitFor(async () => (await tasks(cloudbox)).find(t => t.status === 'denied'), { timeoutMs: 10_000, what: 'the denial to replicate' })
    assert.equal(denied.residency, 'mesh')
  })

  it('the mesh policy governs routing: a device blocked from the cloud sends it nothing; a model that needs approval waits for an admin, and the record cites it', async () => {
    const setPolicy = async (rules: unknown[]): Promise<void> => {
      const r = await laptop.post<{ inForceAt: number }>('/v1/policy', { rules })
      for (const p of [desktop, server, cloudbox]) await waitFor(async () => (await p.api<{ inForceAt?: number }>('/v1/policy')).inForceAt === r.inForceAt, { timeoutMs: 10_000, what: `${p.name} to take the policy` })
      await new Promise(resolve => setTimeout(resolve, Math.max(0, r.inForceAt - Date.now()) + 200))
    }
    await setPolicy([
      { action: 'task.cloud', subject: '*', device: 'desktop', effect: 'block' },
      { action: 'task.model', subject: 'llama3.2:*', device: 'desktop', effect: 'ask' }
    ])
    try {
      const chatsBefore = (await claude.chats()).length
      const blocked = await run(desktop, ['draft a letter', '--model', 'claude-sonnet-4-5', '--residency', 'cloud'])
      assert.equal(blocked.code, 6, blocked.stderr)
      assert.match(blocked.stderr, /mesh policy blocks every place .*cloud provider claude on cloudbox/)
      assert.equal((await claude.chats()).length, chatsBefore, 'the cloud received nothing')
      // the laptop is not named by the rule: its cloud use is untouched
      const free = await run(laptop, ['draft a letter', '--model', 'claude-sonnet-4-5', '--residency', 'cloud'])
      assert.equal(free.code, 0, free.stderr)

      const held = run(desktop, ['why mesh?', '--model', 'llama3.2:3b', '--json'])
      const ask = await waitFor(async () => (await laptop.api<Array<{ id: string, action: string, subject: string }>>('/v1/approvals')).find(a => a.action === 'task.model'), { timeoutMs: 10_000, what: 'the routing ask to reach the admin' })
      assert.equal(ask.subject, 'llama3.2:3b')
      const ok = await laptop.cli(['approve', ask.id])
      assert.equal(ok.code, 0, ok.stderr)
      const done = await held
      assert.equal(done.code, 0, done.stderr)
      const outcome = JSON.parse(done.stdout) as TaskOutcome
      assert.equal(outcome.text, FULL)
      // the task's one record cites the approval for its assignment, and every node admitted it
      const assigned = await waitFor(async () => {
        const log = await server.api<Array<{ body: { task?: string, approvals?: string[], assigned?: Array<{ model: string, approvals?: string[] }> } }>>('/v1/bus/log?kind=task.done&limit=20')
        return log.find(e => e.body.task === outcome.task)
      }, { timeoutMs: 10_000, what: 'the task record to replicate' })
      assert.deepEqual(assigned.body.approvals, [ask.id])
      assert.deepEqual(assigned.body.assigned?.map(a => [a.model, a.approvals]), [['llama3.2:3b', [ask.id]]])
    } finally {
      await setPolicy([])
    }
  })

  it('a 429 from the cloud moves the task to the next tier; every node then routes around the provider until Retry-After ends', async () => {
    await claude.setScript({ models: [{ name: 'claude-sonnet-4-5' }], reply: ANSWER, fail: { status: 429, retryAfterS: 120 } })
    const chats = (await claude.chats()).length
    const r = await run(laptop, ['summarise', '--policy', 'quality-first', '--residency', 'cloud', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const outcome = JSON.parse(r.stdout) as TaskOutcome
    assert.equal(outcome.tier, 'local', 'served by a local model after the cloud refused')
    assert.equal(outcome.attempts, 2)
    assert.equal(outcome.text, FULL)
    assert.equal((await claude.chats()).length, chats + 1)
    // the cooldown travels in the cloud box's advert
    for (const p of [desktop, server, laptop]) {
      await waitFor(async () => (await p.api<ModelsView>('/v1/models')).models.find(m => m.provider === 'claude')?.cooldownUntil != null, { timeoutMs: 10_000, what: `${p.name} to see claude cooling down` })
    }
    const second = await run(desktop, ['again', '--policy', 'quality-first', '--residency', 'cloud', '--json'])
    assert.equal(second.code, 0, second.stderr)
    assert.equal((JSON.parse(second.stdout) as TaskOutcome).attempts, 1, 'the cooling provider was not tried')
    assert.equal((await claude.chats()).length, chats + 1, 'the cloud got no further request during its cooldown')
    const only = await run(server, ['cloud only', '--model', 'claude-sonnet-4-5', '--residency', 'cloud'])
    assert.equal(only.code, 1)
    assert.match(only.stderr, /cooling down/)
  })

  it('Ctrl-C on smesh run cancels generation on the serving peer', async () => {
    await desktopOllama.setScript({ models: [llama(false), { name: 'qwen3:8b', family: 'qwen3', loaded: false }], reply: ANSWER, tokenDelayMs: 400 })
    const before = (await desktopOllama.chats()).length
    const r = runStreaming(ns(0), laptop.dataDir, ['tell me', '--model', 'qwen3:8b'])
    await waitFor(() => r.out().length > 0, { timeoutMs: 15_000, what: 'the first words' })
    r.child.kill('SIGINT')
    assert.equal(await r.done, 130)
    assert.match(r.err(), /cancelled/)
    const chat = await waitFor(async () => (await desktopOllama.chats()).slice(before).find(c => c.aborted), { timeoutMs: 5_000, what: 'the fixture to see the client go away' })
    assert.equal(chat.aborted, true)
  })

  it('the serving node killed mid-stream: the answer completes on another peer, continuous, and the bus records the handoff', async () => {
    await serverOllama.setScript({ models: [llama(true)], reply: ANSWER, tokenDelayMs: 250, continuation: true })
    await desktopOllama.setScript({ models: [llama(false)], reply: ANSWER, tokenDelayMs: 5, continuation: true })
    const r = runStreaming(ns(0), laptop.dataDir, ['why mesh?', '--model', 'llama3.2:3b'])
    await waitFor(() => r.out().length >= 'Mesh routing keeps'.length, { timeoutMs: 15_000, what: 'part of the answer from the server' })
    server.kill('SIGKILL')
    assert.equal(await r.done, 0, r.err())
    cliOutput.push(r.out(), r.err())
    assert.equal(r.out(), FULL + '\n', 'one continuous answer, nothing repeated')
    assert.match(r.err(), /served by desktop/)
    assert.match(r.err(), /handoff: server failed \(connection\) after \d+ characters/)
    const t = await waitFor(async () => (await tasks(laptop)).find(x => x.handoffs.length > 0 && x.status === 'done'), { timeoutMs: 10_000, what: 'the handoff on the bus' })
    assert.equal(t.handoffs[0]?.fromDevice, 'server')
    assert.ok((t.handoffs[0]?.partialChars ?? 0) > 0)
    const continued = (await desktopOllama.chats()).at(-1)
    assert.ok(continued?.body.includes('"role":"assistant"'), 'the desktop got the partial answer as context')
  })

  it('the Claude key never leaves the box: no data dir, log, output or API answer holds it, plain, base64 or hex', async () => {
    const forms = [...secretForms(CANARY), Buffer.from(CANARY).toString('base64').slice(4, 40)]
    assert.ok((await claude.log()).some(e => JSON.stringify(e.headers).includes(CANARY)), 'control: the key did reach the provider')
    const haystacks = await nodeHaystacks([laptop, desktop, server, cloudbox])
    for (const path of ['/v1/models', '/v1/tasks', '/v1/peers', '/v1/status', '/v1/bus/log?limit=500']) {
      haystacks.push([`cloudbox ${path}`, Buffer.from(JSON.stringify(await cloudbox.api(path)))])
    }
    haystacks.push(['CLI output', Buffer.from(cliOutput.join('\n'))])
    assert.ok(haystacks.length > 20)
    for (const [where, bytes] of haystacks) {
      for (const form of forms) assert.ok(!bytes.includes(form), `${where} holds the key (${form.slice(0, 12)}…)`)
    }
  })
})
