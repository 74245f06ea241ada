import { createInterface } from 'node:readline'
import { apiStream } from '@smesh/node'
import type { SmeshProcess } from './smesh-process.js'

/**
 * Follows a node's bus (`/v1/bus/follow`): when each entry was stored there,
 * by hash, in the node's wall-clock ms (comparable across the processes of
 * one machine). Reconnects if the stream ends while the node runs.
 */
export class Follower {
  readonly at = new Map<string, number>()
  private readonly controller = new AbortController()
  private readonly done: Promise<void>

  constructor (readonly node: SmeshProcess, kind = 'memory.put') {
    this.done = this.loop(kind)
  }

  private async loop (kind: string): Promise<void> {
    while (!this.controller.signal.aborted) {
      try {
        const res = await apiStream(this.node.dataDir, 'GET', `/v1/bus/follow?kind=${kind}`, undefined, { signal: this.controller.signal, timeoutMs: 24 * 3_600_000 })
        for await (const line of createInterface({ input: res })) {
          if (line.trim() === '') continue
          const v = JSON.parse(line) as { hash?: string, at?: number }
          if (v.hash != null && v.at != null && !this.at.has(v.hash)) this.at.set(v.hash, v.at)
        }
      } catch {
        // the node is stopped or restarting: try again
      }
      if (!this.controller.signal.aborted) await new Promise(resolve => setTimeout(resolve, 200))
    }
  }

  async stop (): Promise<void> {
    this.controller.abort()
    await this.done
  }
}
