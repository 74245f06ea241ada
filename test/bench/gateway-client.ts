/**
 * Helper of the gateway benchmarks, run inside the gateway node's namespace
 * (`ip netns exec NS node gateway-client.js MODE JSON`): streaming requests
 * with Node's own fetch, timed from the request to the first piece of text
 * each API carries, and to the end. One JSON line on stdout.
 *
 * Modes:
 * - `ttft`: {gateway, api, token, model, reps, warm}: the same task through
 *   `POST /v1/run` (smesh run's path) and through each gateway API
 *   (openai, ollama, anthropic), alternating, one at a time.
 * - `load`: {gateway, key, model, clients}: that many streams at once.
 * - `throughput`: {gateway, key, model, clients, seconds}: streams back to
 *   back on each of `clients` connections; text pieces and characters counted.
 */
type Path = 'run' | 'openai' | 'ollama' | 'anthropic' | 'fixture'

interface Args {
  gateway: string
  api?: string
  token?: string
  key?: string
  model: string
  reps?: number
  warm?: number
  clients?: number
  seconds?: number
  /** ttft: least time from one request's start to the next (the serving node admits 100 new tasks a second from one peer) */
  paceMs?: number
  /** throughput: the path (openai through the gateway, or the fixture itself) */
  path?: Path
  fixture?: string
}

const args = JSON.parse(process.argv[3] ?? '{}') as Args
const prompt = 'Why run AI on a mesh of your own devices?'

function request (path: Path): { url: string, init: RequestInit } {
  const json = (url: string, headers: Record<string, string>, body: unknown): { url: string, init: RequestInit } => ({ url, init: { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) } })
  const key = { authorization: `Bearer ${args.key ?? ''}` }
  switch (path) {
    case 'run': return json(`${args.api as string}/v1/run`, { authorization: `Bearer ${args.token ?? ''}` }, { prompt, model: args.model })
    case 'openai': return json(`${args.gateway}/v1/chat/completions`, key, { model: args.model, stream: true, messages: [{ role: 'user', content: prompt }] })
    case 'ollama': return json(`${args.gateway}/api/chat`, key, { model: args.model, stream: true, messages: [{ role: 'user', content: prompt }] })
    case 'anthropic': return json(`${args.gateway}/v1/messages`, { ...key, 'anthropic-version': '2023-06-01' }, { model: args.model, stream: true, max_tokens: 1024, messages: [{ role: 'user', content: prompt }] })
    case 'fixture': return json(`${args.fixture as string}/api/chat`, {}, { model: args.model, stream: true, messages: [{ role: 'user', content: prompt }] })
  }
}

/** The text of one line (NDJSON) or SSE data line, by API; '' when it carries none. */
function textOf (path: Path, line: string): string {
  if (path === 'run' || path === 'ollama' || path === 'fixture') {
    if (line.trim() === '') return ''
    const o = JSON.parse(line)
    return path === 'run' ? (o.type === 'text' ? String(o.text) : '') : String(o.message?.content ?? '')
  }
  if (!line.startsWith('data: ') || line === 'data: [DONE]') return ''
  const o = JSON.parse(line.slice(6))
  return path === 'openai' ? String(o.choices?.[0]?.delta?.content ?? '') : o.type === 'content_block_delta' ? String(o.delta?.text ?? '') : ''
}

interface Timed { path: Path, ttftMs: number | null, totalMs: number, chars: number, pieces: number, status: number, error?: string }

async function timed (path: Path): Promise<Timed> {
  const { url, init } = request(path)
  const t0 = performance.now()
  let ttftMs: number | null = null
  let chars = 0
  let pieces = 0
  let status = 0
  try {
    const res = await fetch(url, init)
    status = res.status
    if (res.body == null || res.status !== 200) return { path, ttftMs, totalMs: performance.now() - t0, chars, pieces, status, error: await res.text() }
    const decoder = new TextDecoder()
    let buf = ''
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true })
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '')
        if (line.includes('"error"')) return { path, ttftMs, totalMs: performance.now() - t0, chars, pieces, status, error: line.slice(0, 300) }
        const t = textOf(path, line)
        buf = buf.slice(nl + 1)
        if (t === '') continue
        ttftMs ??= performance.now() - t0
        chars += t.length
        pieces++
      }
    }
  } catch (err) {
    return { path, ttftMs, totalMs: performance.now() - t0, chars, pieces, status, error: String(err) }
  }
  return { path, ttftMs, totalMs: performance.now() - t0, chars, pieces, status }
}

async function main (): Promise<object> {
  switch (process.argv[2]) {
    case 'ttft': {
      const paths: Path[] = ['run', 'openai', 'ollama', 'anthropic']
      const out: Record<string, Array<number | null>> = { run: [], openai: [], ollama: [], anthropic: [] }
      const errors: string[] = []
      for (let i = 0; i < (args.warm ?? 10) + (args.reps ?? 100); i++) {
        for (const p of paths) {
          const start = performance.now()
          const r = await timed(p)
          const rest = (args.paceMs ?? 20) - (performance.now() - start)
          if (rest > 0) await new Promise(resolve => setTimeout(resolve, rest))
          if (r.error != null) errors.push(`${p}: ${r.status} ${r.error.slice(0, 200)}`)
          if (i >= (args.warm ?? 10)) out[p]?.push(r.ttftMs)
        }
      }
      return { ttftMs: out, errors: errors.slice(0, 5), errorCount: errors.length }
    }
    case 'load': {
      const t0 = performance.now()
      const runs = await Promise.all(Array.from({ length: args.clients ?? 200 }, async () => await timed('openai')))
      return { wallMs: performance.now() - t0, runs: runs.map(r => ({ ttftMs: r.ttftMs, totalMs: r.totalMs, pieces: r.pieces, chars: r.chars, status: r.status, ...(r.error != null ? { error: r.error.slice(0, 200) } : {}) })) }
    }
    case 'throughput': {
      const until = performance.now() + (args.seconds ?? 10) * 1000
      let pieces = 0
      let chars = 0
      let requests = 0
      const errors: string[] = []
      const t0 = performance.now()
      await Promise.all(Array.from({ length: args.clients ?? 1 }, async () => {
        while (performance.now() < until) {
          const r = await timed(args.path ?? 'openai')
          requests++
          pieces += r.pieces
          chars += r.chars
          if (r.error != null) errors.push(r.error.slice(0, 200))
        }
      }))
      return { seconds: (performance.now() - t0) / 1000, requests, pieces, chars, errors: errors.slice(0, 5), errorCount: errors.length }
    }
    default: throw new Error(`unknown mode ${String(process.argv[2])}`)
  }
}

process.stdout.write(JSON.stringify(await main()) + '\n')
