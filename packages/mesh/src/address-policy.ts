import { BlockList, isIPv4 } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface AddressPolicyInit {
  /** Only addresses of these interfaces are announced (globs like `eth*`). Empty: all but the excluded. */
  interfaces?: string[]
  /** Interfaces whose addresses are never announced and whose subnets are never dialed. */
  excludeInterfaces?: string[]
  /** Dial and announce loopback addresses (single-machine meshes and tests). */
  allowLoopback?: boolean
  /** Source of interface addresses; os.networkInterfaces by default. */
  interfaceSource?: () => ReturnType<typeof networkInterfaces>
}

/** The LAN ranges a node dials when it learns addresses from the network. */
const LAN = new BlockList()
LAN.addSubnet('10.0.0.0', 8, 'ipv4')
LAN.addSubnet('172.16.0.0', 12, 'ipv4')
LAN.addSubnet('192.168.0.0', 16, 'ipv4')
LAN.addSubnet('169.254.0.0', 16, 'ipv4')
LAN.addSubnet('fc00::', 7, 'ipv6')
LAN.addSubnet('fe80::', 10, 'ipv6')

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

const INTERFACE_CACHE_MS = 10_000

/** The IP address in a multiaddr, if it has one. */
export function ipOf (ma: Multiaddr): { ip: string, family: 'ipv4' | 'ipv6' } | undefined {
  for (const c of ma.getComponents()) {
    if (c.name === 'ip4' && c.value != null) return { ip: c.value, family: 'ipv4' }
    if (c.name === 'ip6' && c.value != null) return { ip: c.value.split('%')[0] ?? c.value, family: 'ipv6' }
  }
  return undefined
}

export function isLoopback (ma: Multiaddr): boolean {
  const ip = ipOf(ma)
  return ip != null && LOOPBACK.check(ip.ip, ip.family)
}

export function isLan (ma: Multiaddr): boolean {
  const ip = ipOf(ma)
  return ip != null && LAN.check(ip.ip, ip.family)
}

function globToRegExp (glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`)
}

/**
 * Decides which addresses a node announces (to mDNS and identify) and which
 * addresses learned from the network it dials: LAN and link-local ranges only,
 * loopback only when allowed, never the subnets of container bridges.
 */
export class AddressPolicy {
  private readonly include: RegExp[]
  private readonly exclude: RegExp[]
  readonly allowLoopback: boolean
  private readonly source: () => ReturnType<typeof networkInterfaces>
  private cache?: { at: number, announce: Set<string>, excluded: BlockList }

  constructor (init: AddressPolicyInit = {}) {
    this.include = (init.interfaces ?? []).map(globToRegExp)
    this.exclude = (init.excludeInterfaces ?? []).map(globToRegExp)
    this.allowLoopback = init.allowLoopback ?? false
    this.source = init.interfaceSource ?? networkInterfaces
  }

  private interfaces (): { announce: Set<string>, excluded: BlockList } {
    const now = performance.now()
    if (this.cache != null && now - this.cache.at < INTERFACE_CACHE_MS) return this.cache
    const announce = new Set<string>()
    const excluded = new BlockList()
    for (const [name, addrs] of Object.entries(this.source())) {
      const isExcluded = this.exclude.some(r => r.test(name))
      const isIncluded = this.include.length === 0 || this.include.some(r => r.test(name))
      for (const a of addrs ?? []) {
        const family = isIPv4(a.address) ? 'ipv4' : 'ipv6'
        if (isExcluded) {
          const [net, bits] = a.cidr?.split('/') ?? []
          if (net != null && bits != null) excluded.addSubnet(net, Number(bits), family)
        } else if (isIncluded) {
          announce.add(a.address.split('%')[0] ?? a.address)
        }
      }
    }
    this.cache = { at: now, announce, excluded }
    return this.cache
  }

  /** Whether this node should tell others about one of its own addresses. */
  isAnnounceable (ma: Multiaddr): boolean {
    const ip = ipOf(ma)
    if (ip == null) return false
    if (LOOPBACK.check(ip.ip, ip.family)) return this.allowLoopback
    return this.interfaces().announce.has(ip.ip)
  }

  /** Whether an address learned from the network may be dialed. */
  isDialable (ma: Multiaddr): boolean {
    const ip = ipOf(ma)
    if (ip == null) return false
    if (LOOPBACK.check(ip.ip, ip.family)) return this.allowLoopback
    if (!LAN.check(ip.ip, ip.family)) return false
    return !this.interfaces().excluded.check(ip.ip, ip.family)
  }
}
