import { execFileSync, spawn } from 'node:child_process'
import { existsSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { required } from './exec.js'
import { track } from './smesh-process.js'
import { tempDir } from './tmp.js'
import type { Browser } from 'playwright-core'

/** Debian's Chromium; the browser tests are skipped without it (bootstrap/test.sh installs it as root). */
export const CHROMIUM = '/usr/bin/chromium'

export function chromiumUnavailable (): string | undefined {
  const why = ((): string | undefined => {
    if (!existsSync(CHROMIUM)) return `needs Chromium at ${CHROMIUM} (as root: apt-get install chromium)`
    try {
      execFileSync(CHROMIUM, ['--version'], { stdio: 'ignore', timeout: 20_000 })
    } catch {
      return `needs ${CHROMIUM} to run`
    }
    return undefined
  })()
  return required(why)
}

/**
 * A headless Chromium inside network namespace `ns` (a device of the test
 * LAN), driven by Playwright over a pipe: a wrapper runs the browser through
 * `ip netns exec`. Flags as this machine needs them (no sandbox as root, no
 * background connections to Google's hosts).
 */
export async function launchIn (ns: string, extraArgs: string[] = []): Promise<Browser> {
  const dir = tempDir('smesh-browser')
  const wrapper = join(dir, 'chromium-in-ns.sh')
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`)
  chmodSync(wrapper, 0o755)
  return await chromium.launch({
    executablePath: wrapper,
    // Playwright gives the browser a new empty profile of its own
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
    timeout: 30_000
  })
}

/** The page server (test/dist/fixtures/page-server.js) inside `ns`, serving `html` on each port. */
export async function servePage (ns: string, host: string, ports: number[], html: string): Promise<{ stop: () => void }> {
  const dir = tempDir('smesh-page')
  const file = join(dir, 'index.html')
  writeFileSync(file, html)
  const script = fileURLToPath(new URL('../../fixtures/page-server.js', import.meta.url))
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, '--host', host, '--ports', ports.join(','), '--html', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  await new Promise<void>((resolve, reject) => {
    let err = ''
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.stdout.once('data', () => { resolve() })
    child.once('exit', (code) => { reject(new Error(`page server exited (${String(code)}): ${err}`)) })
  })
  return { stop: () => { child.kill('SIGTERM') } }
}
