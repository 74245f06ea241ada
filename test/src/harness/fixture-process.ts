import { spawn } from 'node:child_process'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onCleanup } from './cleanup.js'
import { tempDir } from './tmp.js'
import type { ChildProcess } from 'node:child_process'
import type { FixtureKind, FixtureScript, Received } from '../../fixtures/providers.js'

/** The fixture server script (test/dist/fixtures/provider-server.js). */
export const PROVIDER_SERVER = fileURLToPath(new URL('../../fixtures/provider-server.js', import.meta.url))

const CHAT: Record<FixtureKind, (path: string) => boolean> = {
  ollama: p => p === '/api/chat' || p === '/api/generate',
  openai: p => p === '/v1/chat/completions',
  anthropic: p => p === '/v1/messages',
  gemini: p => p.includes('generateContent')
}

export interface FixtureProcessOptions {
  kind: FixtureKind
  script: FixtureScript
  /** Network namespace to run in; none = the host's. */
  ns?: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
}

/** A provider fixture (test/fixtures/providers.ts) in its own process, scripted through a file. */
export class FixtureProcess {
  readonly url: string
  readonly port: number
  private readonly exited: Promise<void>

  private constructor (readonly kind: FixtureKind, private readonly child: ChildProcess, private readonly dir: string, ready: { url: string, port: number }) {
    this.url = ready.url
    this.port = ready.port
    this.exited = new Promise(resolve => {
      if (!this.running) resolve()
      else child.once('exit', () => { resolve() })
    })
  }

  static async start (opts: FixtureProcessOptions): Promise<FixtureProcess> {
    const dir = tempDir('smesh-fixture')
    await writeFile(join(dir, 'script.json'), JSON.stringify(opts.script))
    const args = [PROVIDER_SERVER, '--kind', opts.kind, '--script', join(dir, 'script.json'), '--log', join(dir, 'log.jsonl'), '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0)]
    const [cmd, argv] = opts.ns == null ? [process.execPath, args] : ['ip', ['netns', 'exec', opts.ns, process.execPath, ...args]]
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    // ended by its PID when the test process ends, if nobody stopped it
    const done = onCleanup(() => {
      if (child.pid != null && child.exitCode == null && child.signalCode == null) {
        try { process.kill(child.pid, 'SIGKILL') } catch { /* already gone */ }
      }
    })
    child.once('exit', done)
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    try {
      const ready = await new Promise<{ url: string, port: number }>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`provider fixture not listening after 10 s:\n${stderr}`)) }, 10_000)
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          const nl = stdout.indexOf('\n')
          if (nl < 0) return
          clearTimeout(timer)
          try {
            resolve(JSON.parse(stdout.slice(0, nl)))
          } catch {
            reject(new Error(`provider fixture printed ${stdout.slice(0, nl)}:\n${stderr}`))
          }
        })
        child.once('error', (err) => { clearTimeout(timer); reject(err) })
        child.once('exit', (code, signal) => {
          clearTimeout(timer)
          // give stderr a moment to drain before reporting it
          setImmediate(() => { reject(new Error(`provider fixture exited (${String(code ?? signal)}) before listening:\n${stderr}`)) })
        })
      })
      return new FixtureProcess(opts.kind, child, dir, ready)
    } catch (err) {
      done()
      throw err
    }
  }

  get pid (): number {
    return this.child.pid ?? -1
  }

  get running (): boolean {
    return this.child.exitCode == null && this.child.signalCode == null
  }

  /** Replaces the script; the server reads it as the next request arrives. */
  async setScript (script: FixtureScript): Promise<void> {
    const tmp = join(this.dir, `script.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`)
    await writeFile(tmp, JSON.stringify(script))
    await rename(tmp, join(this.dir, 'script.json'))
  }

  /** Every request that has ended, in the order they ended (a moment after the client has its reply: poll). */
  async log (): Promise<Received[]> {
    let text: string
    try {
      text = await readFile(join(this.dir, 'log.jsonl'), 'utf8')
    } catch {
      return []
    }
    const lines = text.split('\n')
    const out: Received[] = []
    lines.forEach((line, i) => {
      if (line === '') return
      try {
        out.push(JSON.parse(line) as Received)
      } catch (err) {
        if (i < lines.length - 1) throw err // only the last line may be half written
      }
    })
    return out
  }

  /** The chat / generate requests of the log (not the model listings). */
  async chats (): Promise<Received[]> {
    return (await this.log()).filter(r => CHAT[this.kind](r.path.split('?')[0] ?? ''))
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop (): Promise<void> {
    if (!this.running || this.child.pid == null) return
    const pid = this.child.pid
    const kill = (sig: NodeJS.Signals): void => { try { process.kill(pid, sig) } catch { /* already gone */ } }
    kill('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>(resolve => { timer = setTimeout(() => { resolve(true) }, 5_000) })
    ])
    clearTimeout(timer)
    if (timedOut) {
      kill('SIGKILL')
      await this.exited
    }
  }
}
