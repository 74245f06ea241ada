import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { mlDsaBackend } from '@smesh/identity'
import { BUS_ENTRY_CONTEXT, Entry, MAX_ENTRY_BYTES } from '@smesh/protocols'
import { createSigner, createVerifier } from '../src/crypto.js'
import { ENTRY_CONTEXT, decodeEntry, entrySignable, verifyEntrySignature, verifyFirstEntry } from '../src/entry.js'
import { InvalidEntryError } from '../src/errors.js'
import { fromHex, sha256, toHex } from '../src/hex.js'
import { parseBody } from '../src/kinds.js'
import { ChainVerifier } from '../src/verify.js'
import { buildVectors, fieldsOf, renderVectors } from './vectors/generate.js'
import type { MlDsaBackend } from '@smesh/identity'
import type { BusEntry } from '../src/entry.js'
import type { KeyName, Vectors } from './vectors/generate.js'

// the compiled test is packages/bus/dist/test/vectors.test.js
const FILE = new URL('../../../../protocols/bus/vectors/entries.json', import.meta.url)
const text = readFileSync(FILE, 'utf8')
const vectors = JSON.parse(text) as Vectors

const BACKENDS: MlDsaBackend[] = mlDsaBackend() === 'node' ? ['node', 'noble'] : ['noble']

const valid = new Map(vectors.valid.map(v => [v.name, v]))
function validNamed (name: string): Vectors['valid'][number] {
  const v = valid.get(name)
  assert.ok(v != null, `no valid vector named ${name}`)
  return v
}
const decodeHex = (hex: string): BusEntry => decodeEntry(fromHex(hex))


describe('golden entry vectors (protocols/bus/vectors/entries.json)', () => {
  it('are what the generator makes, byte for byte', async () => {
    const built = await buildVectors()
    assert.deepEqual(built, vectors, 'the entry format or the generator changed: regenerate with `npm run vectors -w @smesh/bus` and review the diff')
    assert.equal(renderVectors(built), text)
  })

  it('name the spec constants', () => {
    assert.equal(vectors.context, BUS_ENTRY_CONTEXT)
    assert.equal(vectors.limits.maxEntryBytes, MAX_ENTRY_BYTES)
    assert.ok(vectors.valid.length >= 4 && vectors.invalid.length >= 10)
  })

  for (const [name, k] of Object.entries(vectors.keys) as Array<[KeyName, Vectors['keys'][KeyName]]>) {
    it(`key ${name}: the ML-DSA-65 key, author and PeerId follow from the seeds`, async () => {
      const seed = fromHex(k.mlDsaSeed)
      assert.equal(toHex(mlDsa65.keygen(seed).publicKey), k.publicKey)
      for (const use of BACKENDS) assert.equal(toHex(createSigner(seed, use).publicKey), k.publicKey, use)
      assert.equal(toHex(sha256(fromHex(k.publicKey))), k.author)
      const peerKey = await generateKeyPairFromSeed('Ed25519', fromHex(k.ed25519Seed))
      assert.equal(peerIdFromPrivateKey(peerKey).toString(), k.peerId)
    })
  }

  for (const v of vectors.valid) {
    it(`valid ${v.name} (${v.fields.kind}) decodes, re-encodes identically and verifies`, async () => {
      const e = decodeHex(v.entry)
      assert.equal(e.hashHex, v.hash)
      assert.equal(toHex(sha256(e.bytes)), v.hash)
      assert.equal(toHex(Entry.encode(e.entry)), v.entry)
      const { bodyUtf8 } = v.fields
      assert.deepEqual(fieldsOf(e.entry), v.fields)
      assert.equal(toHex(e.entry.signature), v.signature)
      const signable = entrySignable(e.entry)
      assert.equal(toHex(signable), v.signable)
      assert.ok(v.entry.startsWith(v.signable), 'the signable bytes are a prefix of the entry')
      assert.equal(e.authorHex, vectors.keys[v.key].author)

      const pk = fromHex(vectors.keys[v.key].publicKey)
      for (const use of BACKENDS) {
        assert.equal(verifyEntrySignature(e, createVerifier(pk, use)), true, use)
        assert.equal(createVerifier(pk, use).verify(signable, e.entry.signature, ENTRY_CONTEXT), true, use)
      }
      if (e.seq === 1n) {
        assert.equal(toHex(e.entry.publicKey), vectors.keys[v.key].publicKey)
        assert.equal(toHex(e.entry.binding), vectors.keys[v.key].binding)
        assert.equal(await verifyFirstEntry(e), vectors.keys[v.key].peerId)
      }
      if (bodyUtf8 != null) assert.equal(new TextDecoder().decode(e.entry.body), bodyUtf8)
      // well-known kinds carry a body smesh accepts; other kinds are opaque
      const parsed = parseBody(e.entry.kind, e.entry.body)
      if (bodyUtf8 != null) assert.deepEqual(parsed, JSON.parse(bodyUtf8))
      else assert.equal(parsed, undefined)
    })
  }

  for (const c of vectors.chains) {
    it(`chain ${c.key}: links, seqs and head match, and the chain verifies`, async () => {
      assert.equal(c.author, vectors.keys[c.key].author)
      let prev: BusEntry | undefined
      const chain = new ChainVerifier(true)
      chain.begin(c.author)
      for (const link of c.entries) {
        const v = validNamed(link.name)
        assert.equal(v.key, c.key)
        const e = decodeHex(v.entry)
        assert.equal(e.hashHex, link.hash)
        assert.equal(e.seq.toString(), link.seq)
        assert.equal(e.authorHex, c.author)
        if (prev == null) {
          assert.equal(link.prev, null)
          assert.equal(e.seq, 1n)
          assert.equal(e.entry.prev.byteLength, 0)
        } else {
          assert.equal(link.prev, c.entries[c.entries.indexOf(link) - 1]?.name)
          assert.equal(e.seq, prev.seq + 1n)
          assert.equal(e.hlc.ms > prev.hlc.ms || (e.hlc.ms === prev.hlc.ms && e.hlc.counter > prev.hlc.counter), true, 'hlc increases along the chain')
          assert.equal(toHex(e.entry.prev), prev.hashHex)
        }
        assert.equal(await chain.push(e.bytes), true)
        prev = e
      }
      assert.equal(prev?.hashHex, c.head)
      const report = await chain.end()
      assert.equal(report?.firstFailure, null)
      assert.equal(report?.peerId, vectors.keys[c.key].peerId)
      assert.equal(report?.verified, c.entries.length)
    })
  }

  for (const v of vectors.invalid) {
    it(`invalid ${v.name} is refused: ${v.check} → ${v.reason}`, async () => {
      const bytes = fromHex(v.entry)
      const pk = fromHex(vectors.keys[v.verifyWith].publicKey)
      if (v.check === 'decode') {
        assert.equal(v.follows, null)
        // the stated fault is the only one: the signature is good for what was signed
        const raw = Entry.decode(bytes)
        for (const use of BACKENDS) assert.equal(createVerifier(pk, use).verify(entrySignable(raw), raw.signature, ENTRY_CONTEXT), true, use)
        assert.throws(() => decodeEntry(bytes), (err: unknown) => {
          assert.ok(err instanceof InvalidEntryError, `expected InvalidEntryError, got ${String(err)}`)
          assert.equal(err.reason, v.reason, err.message)
          return true
        })
        if (v.reason === 'oversize') assert.equal(bytes.byteLength, MAX_ENTRY_BYTES + 1)
        return
      }
      // signature and link cases are well-formed entries
      const e = decodeEntry(bytes)
      assert.ok(v.follows != null, 'signature and link vectors name the entry they follow')
      const before = decodeHex(validNamed(v.follows).entry)
      assert.equal(e.seq, before.seq + 1n)
      if (v.check === 'signature') {
        assert.equal(v.reason, 'signature')
        for (const use of BACKENDS) assert.equal(verifyEntrySignature(e, createVerifier(pk, use)), false, use)
        assert.equal(toHex(e.entry.prev), before.hashHex, 'only the signature is wrong')
        if (v.name === 'signed-by-another-key') assert.equal(verifyEntrySignature(e, createVerifier(fromHex(vectors.keys.B.publicKey))), true, 'a good signature, by B')
      } else {
        assert.equal(v.check, 'link')
        assert.equal(v.reason, 'link')
        for (const use of BACKENDS) assert.equal(verifyEntrySignature(e, createVerifier(pk, use)), true, use)
        assert.notEqual(toHex(e.entry.prev), before.hashHex)
      }
      // fed to the chain verifier after the valid entries it follows, it fails with the stated reason
      const chain = vectors.chains.find(c => c.entries.some(l => l.name === v.follows))
      assert.ok(chain != null)
      const verifier = new ChainVerifier(true)
      verifier.begin(chain.author)
      for (const link of chain.entries.slice(0, chain.entries.findIndex(l => l.name === v.follows) + 1)) {
        assert.equal(await verifier.push(fromHex(validNamed(link.name).entry)), true)
      }
      // a bad link is refused as it is fed; a signature, checked off the event loop with others, may be found when the chain ends
      const pushed = await verifier.push(bytes)
      if (v.check !== 'signature') assert.equal(pushed, false)
      assert.equal((await verifier.end())?.firstFailure?.reason, v.reason)
    })
  }
})
