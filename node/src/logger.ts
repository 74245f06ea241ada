import { mkdirSync, openSync } from 'node:fs'
import { format } from 'node:util'
import { pino } from 'pino'
import { files } from './paths.js'
import type { LogLevel } from './config/schema.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

export interface NodeLogger {
  log: pino.Logger
  /** Hands libp2p and smesh components a logger that writes through pino. */
  components: ComponentLogger
  close: () => Promise<void>
}

/**
 * Structured logs (pino, JSON lines) to stderr and to `<dataDir>/logs/smesh.log`
 * (mode 0600). libp2p's own components log at debug/trace only: their "errors"
 * are mostly expected dial failures.
 */
export function createNodeLogger (dataDir: string, level: LogLevel): NodeLogger {
  mkdirSync(files.logDir(dataDir), { recursive: true, mode: 0o700 })
  const fd = openSync(files.log(dataDir), 'a', 0o600)
  const fileStream = pino.destination({ fd, sync: false })
  const log = pino({ level, base: { pid: process.pid } }, pino.multistream([
    { level, stream: process.stderr },
    { level, stream: fileStream }
  ]))
  return {
    log,
    components: componentLogger(log),
    close: async () => {
      // end the stream and wait: closing the fd under a pending async write loses lines
      await new Promise<void>(resolve => {
        fileStream.once('close', () => { resolve() })
        fileStream.end()
      })
    }
  }
}

/** libp2p format directives (%p peer, %a address, %e error, ...) rendered as text. */
function render (formatter: unknown, args: unknown[]): string {
  const text = String(formatter).replace(/%[pacbtkre]/g, '%s')
  return format(text, ...args.map(a => a instanceof Error ? a.message : a))
}

export function componentLogger (root: pino.Logger): ComponentLogger {
  const forComponent = (name: string): Logger => {
    const child = root.child({ component: name })
    const ours = name.startsWith('smesh:')
    const info: pino.Level = ours ? 'debug' : 'trace'
    const error: pino.Level = ours ? 'warn' : 'debug'
    const logger = ((formatter: unknown, ...args: unknown[]) => {
      if (child.isLevelEnabled(info)) child[info](render(formatter, args))
    }) as Logger
    logger.error = (formatter: unknown, ...args: unknown[]) => {
      if (child.isLevelEnabled(error)) child[error](render(formatter, args))
    }
    logger.trace = (formatter: unknown, ...args: unknown[]) => {
      if (child.isLevelEnabled('trace')) child.trace(render(formatter, args))
    }
    logger.enabled = child.isLevelEnabled(info)
    logger.newScope = (scope: string) => forComponent(`${name}:${scope}`)
    return logger
  }
  return { forComponent }
}
