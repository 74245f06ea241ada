import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Runs `ip ARGS...`; throws with ip's stderr in the message. */
export async function ip (...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { timeout: 10_000 })
    return stdout
  } catch (err: any) {
    throw new Error(`ip ${args.join(' ')} failed: ${String(err.stderr ?? err.message).trim()}`, { cause: err })
  }
}

/** Like `ip` but synchronous, for cleanup from an exit handler. Never throws. */
export function ipSync (...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore', timeout: 10_000 })
  } catch {
    // cleanup goes on with the next item; what failed is reported by listLeftovers
  }
}

/** Why namespace tests cannot run here, or undefined when they can. */
export function netnsUnavailable (): string | undefined {
  const why = ((): string | undefined => {
    if (process.getuid?.() !== 0) return 'needs root to create network namespaces (run the tests as root)'
    try {
      execFileSync('ip', ['-V'], { stdio: 'ignore' })
    } catch {
      return 'needs iproute2 (the `ip` command): apt-get install iproute2'
    }
    return undefined
  })()
  return required(why)
}

/**
 * With SMESH_TEST_REQUIRE_ALL=1 (set by .ci/run) a test that would be
 * skipped fails instead: CI never goes green with the namespace, security
 * or browser tests skipped.
 */
export function required (why: string | undefined): string | undefined {
  if (why != null && process.env.SMESH_TEST_REQUIRE_ALL === '1') throw new Error(`SMESH_TEST_REQUIRE_ALL=1 and a test cannot run: it ${why}`)
  return why
}
