import { lookup } from 'node:dns/promises'
import { ipOf } from './address-policy.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const REFRESH_MS = 60_000

/**
 * The IP addresses of the static peers the user configured. Those are dialed
 * whatever their range (a VPS, a phone's public address); addresses learned
 * from the network are held to the LAN policy instead. DNS names
 * (`/dns4/host/...`) are resolved at start and again once a minute.
 */
export class StaticHosts {
  private readonly ips = new Set<string>()
  private readonly names: Array<{ name: string, family: 4 | 6 | 0 }> = []
  private resolvedAt = -Infinity

  constructor (peers: Multiaddr[]) {
    for (const ma of peers) {
      const ip = ipOf(ma)
      if (ip != null) {
        this.ips.add(ip.ip)
        continue
      }
      for (const c of ma.getComponents()) {
        if ((c.name === 'dns4' || c.name === 'dns6' || c.name === 'dns') && c.value != null) {
          this.names.push({ name: c.value, family: c.name === 'dns4' ? 4 : c.name === 'dns6' ? 6 : 0 })
        }
      }
    }
  }

  has (ip: string | undefined): boolean {
    return ip != null && this.ips.has(ip)
  }

  /** Resolves the DNS names again if a minute has passed; failures keep the last answer. */
  async refresh (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.names.length === 0 || performance.now() - this.resolvedAt < REFRESH_MS) return
    this.resolvedAt = performance.now()
    await Promise.all(this.names.map(async ({ name, family }) => {
      options.signal?.throwIfAborted()
      const answers = await lookup(name, { all: true, family }).catch(() => [])
      for (const a of answers) this.ips.add(a.address)
    }))
  }
}
