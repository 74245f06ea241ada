import { apiGet, apiPost, apiStream } from '../../api/client.js'
import { MAX_REQUEST_BODY } from '../../api/server.js'
import { CliError } from '../cli-error.js'
import { lines } from '../ndjson.js'
import { readStdin } from '../stdin.js'
import { ago, shortId, table } from '../format.js'
import type { ModelsView } from '../../api/task-routes.js'
import type { TaskOutcome, TaskView } from '@smesh/tasks'

const out = (s: string): void => { process.stdout.write(s + '\n') }
const err = (s: string): void => { process.stderr.write(s + '\n') }
/** What fits in one control API request with room for the options. */
const MAX_PROMPT_BYTES = MAX_REQUEST_BODY - 4096

/** Exit codes of `smesh run` beyond 0/1: the residency forbade every candidate; the user pressed Ctrl-C. */
export const EXIT_RESIDENCY = 7
export const EXIT_INTERRUPTED = 130

const msText = (v: number | null | undefined): string => v == null ? '-' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`

/** The footer `smesh run` prints on stderr: who served, with what, how fast, and any handoff. */
export function footer (r: TaskOutcome): string {
  const parts = [`served by ${r.device} (${shortId(r.peer)})`, `${r.model} on ${r.provider}`, r.tier, `first token ${msText(r.firstTokenMs)}`, `total ${msText(r.totalMs)}`, `${r.outputTokens} tokens`]
  const lines = [`— ${parts.join(' · ')}`]
  for (const h of r.handoffs) lines.push(`— handoff: ${h.fromDevice} failed (${h.reason}) after ${h.atChars} characters; continued on the next candidate`)
  return lines.join('\n')
}

export async function runTask (dataDir: string, promptWords: string[], opts: { model?: string, residency?: string, policy?: string, session?: string, system?: string, maxTokens?: string, timeout?: string, json?: boolean }): Promise<void> {
  let prompt = promptWords.join(' ')
  if (prompt.trim() === '' && process.stdin.isTTY !== true) prompt = await readStdin('prompt', MAX_PROMPT_BYTES, 'give a shorter prompt (the control API takes 256 KiB per request)')
  if (prompt.trim() === '') throw new CliError('no prompt', 'give it as an argument (smesh run "...") or on stdin (echo ... | smesh run)', 2)
  const num = (v: string | undefined, flag: string): number | undefined => {
    if (v == null) return undefined
    if (!/^\d+$/.test(v)) throw new CliError(`${flag} ${v} is not a whole number`, `for example ${flag} 512`, 2)
    return Number(v)
  }
  const controller = new AbortController()
  let interrupted = false
  const onSigint = (): void => { interrupted = true; controller.abort() }
  process.once('SIGINT', onSigint)
  const request = {
    prompt,
    ...(opts.model != null ? { model: opts.model } : {}),
    ...(opts.residency != null ? { residency: opts.residency } : {}),
    ...(opts.policy != null ? { policy: opts.policy } : {}),
    ...(opts.session != null ? { session: opts.session } : {}),
    ...(opts.system != null ? { system: opts.system } : {}),
    ...(opts.maxTokens != null ? { maxTokens: num(opts.maxTokens, '--max-tokens') } : {}),
    ...(opts.timeout != null ? { timeoutMs: (num(opts.timeout, '--timeout') ?? 0) * 1000 } : {})
  }
  let text = ''
  try {
    const res = await apiStream(dataDir, 'POST', '/v1/run', request, { signal: controller.signal })
    for await (const line of lines(res)) {
      if (line.type === 'text') {
        text += String(line.text)
        if (opts.json !== true) process.stdout.write(String(line.text))
      } else if (line.type === 'warning') {
        err(`— warning: ${String(line.message)}`)
      } else if (line.type === 'done') {
        // handoffs are shown in the footer: stdout stays one continuous answer
        const r = line.result as TaskOutcome
        if (opts.json === true) {
          out(JSON.stringify(r, null, 2))
        } else {
          if (!text.endsWith('\n')) process.stdout.write('\n')
          err(footer(r))
        }
        return
      } else if (line.type === 'error') {
        if (opts.json !== true && text !== '' && !text.endsWith('\n')) process.stdout.write('\n')
        const e = line.error as { code: string, message: string, hint?: string }
        throw new CliError(e.message, e.hint ?? 'see the node\'s log', e.code === 'residency' ? EXIT_RESIDENCY : e.code === 'not-allowed' ? 6 : 1)
      }
    }
    throw new CliError('the node ended the task without an answer', 'see the node\'s log')
  } catch (e) {
    if (interrupted) {
      if (text !== '' && !text.endsWith('\n')) process.stdout.write('\n')
      err('— cancelled: the serving peer was told to stop')
      process.exitCode = EXIT_INTERRUPTED
      return
    }
    throw e
  } finally {
    process.removeListener('SIGINT', onSigint)
  }
}

export function formatModels (v: ModelsView): string {
  if (v.models.length === 0) {
    const why = v.providers.filter(p => p.error != null).map(p => `${p.name}: ${p.error ?? ''}`)
    return ['no model anywhere in the mesh yet', ...why.map(w => `  ${w}`), 'hint: start Ollama (SMESH_OLLAMA_URL) or give a provider (see README, "Inference")'].join('\n')
  }
  const rows = [['MODEL', 'DEVICE', 'PROVIDER', 'TIER', 'WARM', 'QUEUE', 'TOK/S', 'COOLDOWN']]
  for (const m of v.models) {
    rows.push([m.model, m.self ? `${m.device} (this)` : m.device, m.provider, m.tier, m.warm ? 'yes' : 'no', `${m.queue}/${m.concurrency}`, m.tokensPerS > 0 ? m.tokensPerS.toFixed(1) : '-', m.cooldownUntil == null ? '-' : `until ${new Date(m.cooldownUntil).toLocaleTimeString()}`])
  }
  return table(rows)
}

export async function runModels (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const v = await apiGet<ModelsView>(dataDir, '/v1/models')
  out(opts.json === true ? JSON.stringify(v, null, 2) : formatModels(v))
}

export function formatTasks (tasks: TaskView[], now = Date.now()): string {
  if (tasks.length === 0) return 'no tasks on the bus yet (run one with smesh run "...")'
  const rows = [['TASK', 'WHEN', 'MODEL', 'SERVED BY', 'TIER', 'STATUS', 'FIRST', 'TOTAL', 'HANDOFFS']]
  for (const t of tasks) {
    rows.push([
      t.task.slice(0, 8), ago(now - Date.parse(t.requestedAt)), t.servedModel ?? t.model, t.device ?? '-', t.tier ?? '-',
      t.status + (t.error != null ? ` (${t.error.code})` : ''), msText(t.firstTokenMs), msText(t.totalMs),
      t.handoffs.length === 0 ? '-' : t.handoffs.map(h => `${h.fromDevice}:${h.reason}`).join(', ')
    ])
  }
  return table(rows)
}

export async function runTasks (dataDir: string, opts: { limit?: string, json?: boolean }): Promise<void> {
  const limit = opts.limit ?? '20'
  if (!/^\d+$/.test(limit)) throw new CliError(`--limit ${limit} is not a number`, 'for example --limit 50', 2)
  const v = await apiGet<TaskView[]>(dataDir, `/v1/tasks?limit=${limit}`)
  out(opts.json === true ? JSON.stringify(v, null, 2) : formatTasks(v))
}

interface EmbedView { model: string, device: string, provider: string, digest: string, dimensions: number, inputTokens: number, totalMs: number, vectors: number[][] }

/** `smesh embed TEXT...`: one vector per text, from the best embedding model the mesh has (one JSON array per line). */
export async function runEmbed (dataDir: string, texts: string[], opts: { model?: string, residency?: string, json?: boolean }): Promise<void> {
  if (texts.length === 0 && process.stdin.isTTY !== true) texts = (await readStdin('texts', MAX_PROMPT_BYTES, 'embed fewer texts at once')).split('\n').filter(t => t.trim() !== '')
  if (texts.length === 0) throw new CliError('nothing to embed', 'give the texts as arguments (smesh embed "first" "second") or one per line on stdin', 2)
  const r = await apiPost<EmbedView>(dataDir, '/v1/embed', { inputs: texts, ...(opts.model != null ? { model: opts.model } : {}), ...(opts.residency != null ? { residency: opts.residency } : {}) })
  if (opts.json === true) {
    out(JSON.stringify(r))
    return
  }
  for (const v of r.vectors) out(JSON.stringify(v))
  err(`— ${r.vectors.length} vector${r.vectors.length === 1 ? '' : 's'} of ${r.dimensions} dimensions · ${r.model} on ${r.provider} · ${r.device} · ${r.inputTokens} tokens · ${msText(r.totalMs)}`)
}
