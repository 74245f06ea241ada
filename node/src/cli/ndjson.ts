import type { IncomingMessage } from 'node:http'

/** Reads NDJSON lines from a streamed response; blank lines (heartbeats) are skipped. */
export async function * lines (res: IncomingMessage): AsyncGenerator<any> {
  let buf = ''
  for await (const chunk of res) {
    buf += (chunk as Buffer).toString('utf8')
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim()
      buf = buf.slice(nl + 1)
      if (line !== '') yield JSON.parse(line)
    }
  }
}

/** A signal that aborts on Ctrl-C, for commands that stream until stopped. */
export function untilInterrupted (): AbortSignal {
  const c = new AbortController()
  process.once('SIGINT', () => { c.abort() })
  return c.signal
}
