import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ml_dsa65 as mlDsa65 } from '@noble/post-quantum/ml-dsa.js'
import { createVerifier } from '@smesh/bus'
import { ADVERT_CONTEXT, Advert, SignedAdvert, TaskFrame, TaskRequest, decodeTaskRequest } from '@smesh/protocols'
import { fromWireRequest } from '../src/wire.js'
import { buildVectors, fromJsonFields, jsonFields, renderVectors } from './vectors/generate.js'
import type { TaskFailedError } from '../src/errors.js'
import type { Vectors } from './vectors/generate.js'

// the compiled test is packages/tasks/dist/test/vectors.test.js
const text = readFileSync(new URL('../../../../protocols/tasks/vectors/tasks.json', import.meta.url), 'utf8')
const vectors = JSON.parse(text) as Vectors
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'))

describe('golden task protocol vectors (protocols/tasks/vectors/tasks.json)', () => {
  it('are what the generator makes, byte for byte', () => {
    const built = buildVectors()
    assert.deepEqual(built, vectors, 'the task protocol or the generator changed: regenerate with `npm run vectors -w @smesh/tasks` and review the diff')
    assert.equal(renderVectors(built), text)
  })

  for (const v of vectors.requests) {
    it(`request ${v.name}: encodes to the bytes, decodes to the fields, reads as the call`, () => {
      const fields = fromJsonFields(v.fields) as TaskRequest
      assert.equal(Buffer.from(TaskRequest.encode(fields)).toString('hex'), v.hex)
      const decoded = decodeTaskRequest(bytes(v.hex))
      assert.deepEqual(jsonFields(decoded), v.fields)
      assert.deepEqual(jsonFields(fromWireRequest(decoded)), v.call)
    })
  }

  for (const v of vectors.invalidRequests) {
    it(`invalid request ${v.name}: decodes, and is refused with ${v.reason}`, () => {
      const decoded = decodeTaskRequest(bytes(v.hex))
      assert.throws(() => fromWireRequest(decoded), (e: TaskFailedError) => e.code === v.reason)
    })
  }

  for (const v of vectors.frames) {
    it(`frame ${v.name}: bytes and fields agree`, () => {
      assert.equal(Buffer.from(TaskFrame.encode(fromJsonFields(v.fields) as TaskFrame)).toString('hex'), v.hex)
      assert.deepEqual(jsonFields(TaskFrame.decode(bytes(v.hex))), v.fields)
    })
  }

  it('the signed advert verifies with the key from the seed, with noble and with this node\'s verifier', () => {
    const a = vectors.advert
    assert.equal(Buffer.from(mlDsa65.keygen(bytes(a.mlDsaSeed)).publicKey).toString('hex'), a.publicKey)
    assert.equal(Buffer.from(Advert.encode(fromJsonFields(a.fields) as Advert)).toString('hex'), a.advertHex)
    const signed = SignedAdvert.decode(bytes(a.signedAdvertHex))
    assert.equal(Buffer.from(signed.advert).toString('hex'), a.advertHex)
    assert.equal(new TextDecoder().decode(ADVERT_CONTEXT), a.context)
    assert.ok(mlDsa65.verify(signed.signature, signed.advert, bytes(a.publicKey), { context: ADVERT_CONTEXT }))
    assert.ok(createVerifier(bytes(a.publicKey)).verify(signed.advert, signed.signature, ADVERT_CONTEXT))
  })
})
