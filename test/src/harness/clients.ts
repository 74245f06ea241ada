import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { track } from './smesh-process.js'

/** The client driver (test/dist/fixtures/clients.js). */
export const CLIENTS = fileURLToPath(new URL('../../fixtures/clients.js', import.meta.url))

export interface ClientRun {
  /** Text chunks as the client received them. */
  chunks: () => string[]
  /** Resolves with the last line: {type: 'result', ...} or {type: 'error', status, message}. */
  done: Promise<Record<string, any>>
  kill: (signal?: NodeJS.Signals) => void
}

/**
 * Runs one scenario of the real client libraries (test/fixtures/clients.ts)
 * as a process, inside `ns` when given: a user's client on a device of the LAN.
 */
export function startClient (scenario: string, args: Record<string, unknown>, options: { ns?: string, timeoutMs?: number } = {}): ClientRun {
  const argv = [CLIENTS, scenario, JSON.stringify(args)]
  const child = options.ns == null ? spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('ip', ['netns', 'exec', options.ns, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  const chunks: string[] = []
  let last: Record<string, any> | undefined
  let buf = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString()
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const o = JSON.parse(line) as Record<string, any>
      if (o.type === 'chunk') chunks.push(String(o.text))
      else last = o
    }
  })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs ?? 60_000)
  const done = new Promise<Record<string, any>>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (last != null) resolve(last)
      else reject(new Error(`client ${scenario} ended (${String(code)}) without a result:\n${stderr}`))
    })
  })
  return { chunks: () => chunks, done, kill: (signal = 'SIGTERM') => { child.kill(signal) } }
}

/** Runs a scenario to its end; throws with the client's error unless `expectError`. */
export async function runClient (scenario: string, args: Record<string, unknown>, options: { ns?: string, timeoutMs?: number } = {}): Promise<Record<string, any>> {
  return await startClient(scenario, args, options).done
}
