import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { PolicyGate, POLICY_GRACE_MS } from '../src/policy.js'
import { MEMBER_KINDS } from '../src/kinds.js'
import type { Membership } from '../src/membership.js'
import type { BusEntry } from '@smesh/bus'

interface Vectors {
  graceMs: number
  devices: Record<string, string>
  cases: Array<{
    name: string
    policies: Array<{ ms: number, counter: number, author: string, seq: number, rules: unknown[] }>
    asks: Array<{ id: string, device: string, author: string, action: string, subject: string, expiresAt: number }>
    approvals: Array<{ id: string, approved: boolean }>
    entry: { author: string, ms: number, counter: number, kind: string, body: unknown }
    verdict: 'admit' | 'policy' | 'awaiting'
  }>
}

// the compiled test is packages/membership/dist/test/vectors.test.js
const vectors = JSON.parse(readFileSync(new URL('../../../../protocols/membership/vectors/policy.json', import.meta.url), 'utf8')) as Vectors
const encode = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
let n = 0
/** An admitted entry as the gate sees it: only kind, body, author, HLC, seq and hash matter to it. */
const entry = (author: string, ms: number, counter: number, kind: string, body: unknown, seq = 1): BusEntry => ({
  entry: { kind, body: encode(body) }, authorHex: author, hlc: { ms: BigInt(ms), counter }, seq: BigInt(seq), hashHex: (++n).toString(16).padStart(64, '0')
}) as unknown as BusEntry

describe('golden governance verdicts (protocols/membership/vectors/policy.json)', () => {
  it('use the grace of the code', () => { assert.equal(vectors.graceMs, POLICY_GRACE_MS) })

  for (const c of vectors.cases) {
    it(`${c.name}: ${c.verdict}`, () => {
      const membership = { lease: (device: string) => vectors.devices[device] != null ? { name: vectors.devices[device] } : undefined } as unknown as Membership
      const at = c.policies[0]?.ms ?? 1
      const held = [
        ...c.policies.map(p => entry(p.author, p.ms, p.counter, MEMBER_KINDS.policySet, { rules: p.rules }, p.seq)),
        ...c.asks.map(a => entry(a.author, at, 0, MEMBER_KINDS.policyAsk, { action: a.action, subject: a.subject, device: a.device, id: a.id, expiresAt: a.expiresAt })),
        ...c.approvals.map(d => entry('a'.repeat(64), at, 0, MEMBER_KINDS.policyApprove, d))
      ]
      // the verdict does not depend on the order the node received what it holds (sync brings admins' chains first)
      for (const order of [held, [...held].reverse()]) {
        const gate = new PolicyGate(membership, 'f'.repeat(64), () => c.entry.ms)
        for (const e of order) gate.learn(e)
        const refusal = gate.check(entry(c.entry.author, c.entry.ms, c.entry.counter, c.entry.kind, c.entry.body))
        assert.equal(refusal?.reason ?? 'admit', c.verdict, refusal?.message)
      }
    })
  }
})
