import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onCleanup } from './cleanup.js'

const SCRIPT = fileURLToPath(new URL('../../../fixtures/capture.py', import.meta.url))

export interface Flow {
  from: string
  to: string
  packets: number
  /** TCP payload bytes. */
  bytes: number
  /** The first payload bytes, hex. */
  data: string
}

/**
 * A packet capture on an interface inside one of the test's namespaces
 * (test/fixtures/capture.py, a raw AF_PACKET socket): every TCP payload to
 * or from `port` (or any of several), per connection and direction, the
 * first `maxBytes` of each kept.
 */
export async function startCapture (ns: string, iface: string, port: number | number[], maxSeconds = 60, maxBytes = 4096): Promise<{ stop: () => Promise<Flow[]> }> {
  const ports = Array.isArray(port) ? port.join(',') : String(port)
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', SCRIPT, iface, ports, String(maxSeconds), String(maxBytes)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const done = onCleanup(() => { if (child.exitCode == null) child.kill('SIGKILL') })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<void>(resolve => child.once('exit', () => { done(); resolve() }))
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      if (err.includes('ready')) resolve()
    })
    child.once('exit', (code) => { reject(new Error(`capture exited (${String(code)}): ${err}`)) })
  })
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await exited
      return JSON.parse(out) as Flow[]
    }
  }
}
