import { mkdirSync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
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

const SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'msg'])

/** A log record's fields after its message, as key=value (what pino-pretty would print as a JSON object). */
export function logFields (log: Record<string, unknown>): string {
  const out: string[] = []
  for (const [k, v] of Object.entries(log)) {
    if (SKIPPED.has(k) || v == null) continue
    const text = k === 'err' && typeof v === 'object' ? String((v as { message?: unknown }).message ?? '') : typeof v === 'string' ? v : JSON.stringify(v)
    out.push(`${k}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`)
  }
  return out.length === 0 ? '' : `  ${out.join(' ')}`
}

/** Log lines as people read them (time, level, message, fields), for a terminal: pino-pretty, loaded only then. */
function terminalStream (): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => pino.DestinationStream
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.hasColors?.() ?? false,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: (log: Record<string, unknown>, key: string) => `${String(log[key] ?? '')}${logFields(log)}`
  })
}

/**
 * Logs to stderr and to `<dataDir>/logs/smesh.log` (mode 0600): JSON lines
 * (pino) in the file and on a stderr that is not a terminal; readable lines
 * on a terminal. libp2p's own components log at debug/trace only: their
 * "errors" are mostly expected dial failures.
 */
export function createNodeLogger (dataDir: string, level: LogLevel, tty = process.stderr.isTTY === true): NodeLogger {
  mkdirSync(files.logDir(dataDir), { recursive: true, mode: 0o700 })
  const fd = openSync(files.log(dataDir), 'a', 0o600)
  const fileStream = pino.destination({ fd, sync: false })
  const log = pino({ level, base: { pid: process.pid } }, pino.multistream([
    { level, stream: tty ? terminalStream() : process.stderr },
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
