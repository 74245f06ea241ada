import type { Membership } from './membership.js'
import type { PolicyGate } from './policy.js'
import type { Bus, BusEntry, EntryAdmission } from '@smesh/bus'

/**
 * The mesh's rules as a bus needs them, in one place for every node: the
 * admission (the lease, then the policy in force, for every entry the bus
 * takes, its own and its peers') and the writer's check (run before this
 * device signs anything, whichever path the entry comes by).
 */
export function governance (membership: Membership, gate: PolicyGate, self: string): { admission: EntryAdmission, authorizer: NonNullable<Bus['authorizer']> } {
  return {
    admission: {
      check: (e: BusEntry) => membership.check(e) ?? gate.check(e),
      rank: (author: string) => membership.rank(author)
    },
    authorizer: async (kind, body, options) => {
      membership.assertMayWrite(self, kind)
      return await gate.authorize(kind, body, options)
    }
  }
}
