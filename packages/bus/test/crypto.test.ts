import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ML_DSA_65_PUBLIC_KEY_BYTES, ML_DSA_65_SIGNATURE_BYTES } from '@smesh/protocols'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createSigner, createVerifier } from '../src/crypto.js'
import { ENTRY_CONTEXT } from '../src/entry.js'
import { utf8 } from './fixtures.js'

const BUNDLE_CONTEXT = utf8('smesh/bus/bundle/v1')
const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
const msgArb = fc.uint8Array({ maxLength: 2048 })

describe('ML-DSA-65 backends', () => {
  it('node and noble derive the same public key from one seed, the one noble keygen gives', () => {
    fc.assert(fc.property(seedArb, seed => {
      const node = createSigner(seed, 'node')
      const noble = createSigner(seed, 'noble')
      assert.equal(node.backend, 'node')
      assert.equal(noble.backend, 'noble')
      assert.equal(node.publicKey.byteLength, ML_DSA_65_PUBLIC_KEY_BYTES)
      assert.deepEqual(node.publicKey, noble.publicKey)
      assert.deepEqual(node.publicKey, mlDsa65.keygen(seed).publicKey)
    }), { numRuns: 10 })
  })

  it('a signature of either backend verifies with both, for its message and context only', async () => {
    await fc.assert(fc.asyncProperty(seedArb, msgArb, fc.constantFrom<'node' | 'noble'>('node', 'noble'), async (seed, msg, by) => {
      const signer = createSigner(seed, by)
      const sig = await signer.sign(msg, ENTRY_CONTEXT)
      assert.equal(sig.byteLength, ML_DSA_65_SIGNATURE_BYTES)
      for (const use of ['node', 'noble'] as const) {
        const v = createVerifier(signer.publicKey, use)
        assert.equal(v.backend, use)
        assert.equal(v.verify(msg, sig, ENTRY_CONTEXT), true, `${by} -> ${use}`)
        assert.equal(v.verify(msg, sig, BUNDLE_CONTEXT), false, `${by} -> ${use}: another context`)
        assert.equal(v.verify(msg, sig, new Uint8Array(0)), false, `${by} -> ${use}: no context`)
        assert.equal(v.verify(new Uint8Array([...msg, 0]), sig, ENTRY_CONTEXT), false, `${by} -> ${use}: another message`)
      }
    }), { numRuns: 12 })
  })

  it('signSync gives signatures that verify like sign', async () => {
    for (const use of ['node', 'noble'] as const) {
      const signer = createSigner(new Uint8Array(32).fill(5), use)
      const msg = utf8('sync')
      const v = createVerifier(signer.publicKey, use === 'node' ? 'noble' : 'node')
      assert.ok(v.verify(msg, signer.signSync(msg, ENTRY_CONTEXT), ENTRY_CONTEXT))
      assert.ok(v.verify(msg, await signer.sign(msg, ENTRY_CONTEXT), ENTRY_CONTEXT))
    }
  })

  it('a signature by another key, or a malformed one, verifies as false without throwing', () => {
    const a = createSigner(new Uint8Array(32).fill(6), 'node')
    const b = createSigner(new Uint8Array(32).fill(7), 'node')
    const msg = utf8('m')
    const sig = a.signSync(msg, ENTRY_CONTEXT)
    for (const use of ['node', 'noble'] as const) {
      const vb = createVerifier(b.publicKey, use)
      assert.equal(vb.verify(msg, sig, ENTRY_CONTEXT), false)
      const va = createVerifier(a.publicKey, use)
      assert.equal(va.verify(msg, sig.subarray(1), ENTRY_CONTEXT), false)
      assert.equal(va.verify(msg, new Uint8Array(0), ENTRY_CONTEXT), false)
      assert.equal(va.verify(msg, new Uint8Array(ML_DSA_65_SIGNATURE_BYTES), ENTRY_CONTEXT), false)
    }
  })

  it('different seeds give different keys', () => {
    assert.notDeepEqual(createSigner(new Uint8Array(32).fill(1), 'node').publicKey, createSigner(new Uint8Array(32).fill(2), 'node').publicKey)
  })
})
