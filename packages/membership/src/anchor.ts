import { MEMBER_KINDS, parseAdmit, parseRevoke } from './kinds.js'
import { Membership } from './membership.js'
import { PolicyGate } from './policy.js'
import type { AdmissionRefusal, BundleAnchor, BundleFailure, BusEntry } from '@smesh/bus'

const governs = (kind: string): boolean => kind.startsWith('member.') || kind.startsWith('policy.')

/**
 * The trust anchor of an offline verification: a mesh id and its root
 * admin's key, both named by the verifier (never taken from the bundle).
 * From the bundle's own membership and policy entries it rebuilds the
 * mesh's rules the way a node does (an entry counts only once its author
 * may write it, by the rules other entries already made), then judges every
 * entry of the bundle and its exporter by them.
 */
export class MeshAnchor implements BundleAnchor {
  private readonly governing: BusEntry[] = []
  private readonly membership: Membership
  private readonly gate: PolicyGate
  /** When each device's first revocation was written (HLC ms). */
  private readonly revokedAt = new Map<string, number>()
  /** Every lease taken, by device: the exporter needs one in force when it signed. */
  private readonly windows = new Map<string, Array<{ issuedAt: number, expiresAt: number, name: string }>>()
  private leases = 0
  private revocations = 0
  private policies = 0

  constructor (readonly mesh: string, readonly root: string, readonly exporter?: string) {
    this.membership = new Membership({ mesh: { version: 1, id: mesh, name: '', networkKey: '', root, rootPeerId: '', createdAt: 0 }, self: '' })
    this.gate = new PolicyGate(this.membership, '', () => 0)
  }

  collect (e: BusEntry): void {
    if (governs(e.entry.kind)) this.governing.push(e)
  }

  check (e: BusEntry): AdmissionRefusal | undefined {
    const refusal = this.membership.check(e) ?? this.gate.check(e)
    if (refusal?.reason === 'awaiting') return { reason: 'policy', message: refusal.message.replace('this node does not hold yet', 'the bundle does not hold') }
    if (refusal?.reason === 'not-member') return { reason: 'not-member', message: `${refusal.message} (no admin of the mesh rooted at ${this.root.slice(0, 16)} admitted it in this bundle)` }
    return refusal
  }

  /**
   * Takes in the rule-making entries in the order a node could have: each
   * author's in seq order, each as soon as its author may write it, until
   * nothing more can be taken. What is left could never have been admitted.
   */
  settle (authors: Set<string>): BundleFailure | undefined {
    if (!authors.has(this.root) && [...authors].length > 0) {
      return { seq: '', hash: '', reason: 'not-member', message: `the bundle holds no chain of the root admin ${this.root.slice(0, 16)} you named: no lease of the mesh can be checked (is it the right root key?)`, index: 0 }
    }
    const queues = new Map<string, BusEntry[]>()
    for (const e of this.governing) {
      const q = queues.get(e.authorHex) ?? []
      q.push(e)
      queues.set(e.authorHex, q)
    }
    let progress = true
    while (progress) {
      progress = false
      for (const q of queues.values()) {
        while (q.length > 0 && this.check(q[0] as BusEntry) == null) {
          this.take(q.shift() as BusEntry)
          progress = true
        }
      }
    }
    for (const q of queues.values()) {
      const e = q[0]
      if (e == null) continue
      const r = this.check(e) as AdmissionRefusal
      return { seq: e.seq.toString(), hash: e.hashHex, reason: r.reason, message: `entry ${e.seq} of author ${e.authorHex.slice(0, 16)} (${e.entry.kind}): ${r.message}`, author: e.authorHex }
    }
    return undefined
  }

  private take (e: BusEntry): void {
    this.membership.learn(e)
    this.gate.learn(e)
    switch (e.entry.kind) {
      case MEMBER_KINDS.admit: {
        this.leases++
        const l = parseAdmit(e.entry.body)
        this.windows.set(l.device, [...(this.windows.get(l.device) ?? []), { issuedAt: l.issuedAt, expiresAt: l.expiresAt, name: l.name }])
        break
      }
      case MEMBER_KINDS.policySet: this.policies++; break
      case MEMBER_KINDS.revoke: {
        this.revocations++
        const device = parseRevoke(e.entry.body).device
        const at = Number(e.hlc.ms)
        if ((this.revokedAt.get(device) ?? Infinity) > at) this.revokedAt.set(device, at)
        break
      }
    }
  }

  vouches (exporter: string, atMs: number): { refusal?: string, label: string } {
    const short = exporter.slice(0, 16)
    if (exporter === this.root) return { label: `the root admin (${short})` }
    const leases = this.windows.get(exporter) ?? []
    if (leases.length === 0) return { label: short, refusal: `the manifest is signed by ${short}, a key that holds no lease in this mesh: only a member can vouch for a bundle of it` }
    const name = leases[leases.length - 1]?.name ?? ''
    const label = `${name !== '' ? name : 'a device'} (${short})`
    const revoked = this.revokedAt.get(exporter)
    if (revoked != null && revoked <= atMs) return { label, refusal: `the exporter ${label} had been revoked before it signed the bundle (${new Date(revoked).toISOString()})` }
    if (!leases.some(l => l.issuedAt <= atMs && atMs <= l.expiresAt)) return { label, refusal: `the exporter ${label} held no lease in force when it signed the bundle (${new Date(atMs).toISOString()})` }
    return { label }
  }

  summary (authors: Set<string>): { leases: number, revocations: number, policies: number, absent: Array<{ device: string, name: string }> } {
    const absent = this.membership.list().filter(m => m.device !== this.root && !authors.has(m.device) && m.issuedAt != null).map(m => ({ device: m.device, name: m.name }))
    return { leases: this.leases, revocations: this.revocations, policies: this.policies, absent }
  }
}
