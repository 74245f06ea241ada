import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TaskRequest, decodeTaskRequest } from '@smesh/protocols'
import { chatNeeds, embedNeeds } from '../src/needs.js'
import { noCandidate } from '../src/no-candidate.js'
import { rank } from '../src/score.js'
import { StopScanner } from '../src/stops.js'
import { fromWireRequest, toWireRequest } from '../src/wire.js'
import type { Candidate } from '../src/catalog.js'
import type { RankInput } from '../src/score.js'
import type { AnyCall } from '../src/wire.js'

const cand = (over: Partial<Candidate>): Candidate => ({
  peer: 'p1', device: 'd1', self: false, provider: 'ollama', kind: 'ollama', tier: 'local', model: 'llama3.2:3b', digest: '', family: 'llama', sizeBytes: 0, quantization: '', contextLength: 0, parameters: 0, embeddingLength: 0, loaded: false, capabilities: ['completion'], protocols: ['1.1.0', '1.0.0'],
  queue: 0, concurrency: 4, cooldownUntil: 0, tokensPerS: 0, rttMs: 1, connected: true, ...over
})
const input = (over: Partial<RankInput> = {}): RankInput => ({
  spec: { kind: 'best' }, residency: 'cloud', policy: 'local-first', inFlight: () => 0, reliability: () => 0.5, broken: () => false, cooldown: () => 0, now: 1_000, ...over
})
const ID = '0123456789abcdef0123456789abcdef'
const weather = { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }

describe('stop sequences, whatever the backend does with them', () => {
  it('passes text on, holds back what a stop sequence could start with, and cuts at the first match across pieces', () => {
    let out = ''
    const s = new StopScanner(['END', '\n\n'], t => { out += t })
    assert.equal(s.push('Hello wor'), false)
    assert.equal(out, 'Hello w', 'two characters held back')
    assert.equal(s.push('ld. EN'), false)
    assert.equal(s.push('D and more'), true)
    assert.equal(out, 'Hello world. ')
    assert.equal(s.matched, 'END')
    assert.equal(s.push('ignored'), true)
    assert.equal(out, 'Hello world. ')
  })

  it('flushes what it held at the end; without stops it passes everything at once; never splits a surrogate pair', () => {
    let out = ''
    const s = new StopScanner(['###'], t => { out += t })
    s.push('ab#')
    s.end()
    assert.equal(out, 'ab#')
    let plain = ''
    const p = new StopScanner([], t => { plain += t })
    p.push('x')
    assert.equal(plain, 'x')
    const pieces: string[] = []
    const e = new StopScanner(['xy'], t => { pieces.push(t) })
    e.push('a😀')
    e.end()
    assert.ok(pieces.every(x => !/[\ud800-\udbff]$/.test(x)), 'no piece ends inside a pair')
    assert.equal(pieces.join(''), 'a😀')
  })
})

describe('task protocol 1.1.0: requests as they travel', () => {
  const chat: AnyCall = {
    kind: 'chat', id: ID, provider: 'ollama', model: 'qwen3:8b', residency: 'mesh', deadline: 1_700_000_000_000,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is this, and the weather?', images: [{ mimeType: 'image/png', data: Uint8Array.from([137, 80, 78, 71]) }] },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { role: 'tool', content: '{"temp":-3}', toolCallId: 'call_1', name: 'get_weather' }
    ],
    tools: [weather], toolChoice: { name: 'get_weather' }, format: { type: 'json_schema', schema: { type: 'object' }, name: 'answer' },
    stop: ['END'], topP: 0.5, seed: 42, maxTokens: 100, temperature: 0.25, options: { top_k: 20, num_ctx: 8192 }, keepAlive: '5m'
  }

  it('a chat with tools, images, tool turns and structured output survives encoding and decoding whole', () => {
    const wire = TaskRequest.encode(toWireRequest(chat, 2))
    const back = fromWireRequest(decodeTaskRequest(wire))
    assert.deepEqual(back, chat)
  })

  it('version 1 (1.0.0) carries the messages\' text and the sampling basics only', () => {
    const v1 = toWireRequest(chat, 1)
    assert.equal(v1.version, 1)
    assert.deepEqual(v1.tools, [])
    assert.equal(v1.format, '')
    assert.ok(v1.messages.every(m => m.images.length === 0 && m.toolCalls.length === 0))
  })

  it('an embedding batch travels as inputs', () => {
    const call: AnyCall = { kind: 'embed', id: ID, provider: 'ollama', model: 'nomic-embed-text', residency: 'local', inputs: ['a', 'b'], truncate: false, keepAlive: '1m' }
    assert.deepEqual(fromWireRequest(decodeTaskRequest(TaskRequest.encode(toWireRequest(call, 2)))), call)
  })

  it('the serving node refuses what it cannot trust, naming it', () => {
    const base = toWireRequest(chat, 2)
    const refuse = (over: Partial<TaskRequest>, re: RegExp): void => { assert.throws(() => fromWireRequest({ ...base, ...over }), re) }
    refuse({ version: 9 }, /version 9 is not understood/)
    refuse({ id: 'x' }, /32 hex digits/)
    refuse({ residency: 'moon' }, /unknown residency/)
    refuse({ toolChoice: 'sometimes' }, /unknown tool choice/)
    refuse({ tools: [{ name: 'bad name!', description: '', parameters: '{}' }] }, /tool name/)
    refuse({ tools: [{ name: 'ok', description: '', parameters: '[1]' }] }, /not a JSON object/)
    refuse({ format: 'yaml' }, /unknown output format/)
    refuse({ format: 'json_schema', formatSchema: '{' }, /not JSON/)
    refuse({ options: '{"num_ctx": {"a": 1}}' }, /backend option num_ctx must be a number/)
    refuse({ options: '{"num_gpu": 99}' }, /backend option "num_gpu" is not one a peer may set/)
    refuse({ stop: [''] }, /stop sequence must have 1-200 characters/)
    refuse({ topP: 3 }, /top_p is at most 1/)
    refuse({ keepAlive: '-1' }, /keep_alive "-1" is not a duration/)
    refuse({ approvals: ['zz'] }, /approvals are up to 16 policy\.ask ids/)
    refuse({ messages: [{ role: 'robot', content: 'x', images: [], toolCalls: [], toolCallId: '', name: '' }] }, /roles/)
    refuse({ messages: [{ role: 'user', content: 'x', images: [{ mimeType: 'text/html', data: Uint8Array.from([1]) }], toolCalls: [], toolCallId: '', name: '' }] }, /PNG, JPEG/)
    refuse({ kind: 'embed', inputs: [] }, /at least one input/)
    refuse({ kind: 'fax' }, /unknown task kind/)
    assert.throws(() => fromWireRequest({ ...toWireRequest(chat, 1), messages: [{ role: 'tool', content: 'x', images: [], toolCalls: [], toolCallId: '', name: '' }] }), /system, user or assistant/, 'no tool turns on 1.0.0')
  })

  it('a request over its limits is refused by the decoder', () => {
    const many = toWireRequest({ ...chat, tools: Array.from({ length: 129 }, (_, i) => ({ ...weather, name: `t${i}` })) } as AnyCall, 2)
    assert.throws(() => decodeTaskRequest(TaskRequest.encode(many)), /limit|exceed|tools/i)
    assert.throws(() => decodeTaskRequest(new Uint8Array(1024 * 1024 + 1), 1024 * 1024), /task request/)
  })
})

describe('what a task needs, and who can give it', () => {
  it('tools, images and a format each need their capability and protocol 1.1.0; plain text needs neither', () => {
    assert.deepEqual(chatNeeds([{ role: 'user', content: 'hi' }], {}), { kind: 'chat', capabilities: ['completion'], v11: false, tokens: 5 })
    const n = chatNeeds([{ role: 'user', content: 'x', images: [{ mimeType: 'image/png', data: new Uint8Array(1) }] }], { tools: [weather], format: { type: 'json' } })
    assert.deepEqual(n.capabilities, ['completion', 'tools', 'vision', 'json'])
    assert.equal(n.v11, true)
    assert.equal(chatNeeds([{ role: 'user', content: 'x' }], { tools: [weather], toolChoice: 'none' }).capabilities.includes('tools'), false)
    assert.deepEqual(embedNeeds(['a', 'bbbb']).capabilities, ['embedding'])
  })

  it('a tool request never ranks a model without tools, a long prompt never a short context, a 1.1 task never a 1.0.0 node', () => {
    const cs = [
      cand({ peer: 'plain', model: 'llama3.2:3b' }),
      cand({ peer: 'tools', model: 'qwen3:8b', capabilities: ['completion', 'tools'], contextLength: 40_000 }),
      cand({ peer: 'old', model: 'qwen3:8b', capabilities: ['completion', 'tools'], protocols: ['1.0.0'] }),
      cand({ peer: 'short', model: 'qwen3:8b', capabilities: ['completion', 'tools'], contextLength: 2048 })
    ]
    const needs = chatNeeds([{ role: 'user', content: 'x'.repeat(20_000) }], { tools: [weather] })
    const r = rank(cs, input({ needs }))
    assert.deepEqual(r.ranked.map(x => x.candidate.peer), ['tools'])
    assert.deepEqual(r.excluded.unable.map(u => [u.candidate.peer, u.lacks]), [['plain', 'tools'], ['short', 'context']])
    assert.deepEqual(r.excluded.protocol.map(c => c.peer), ['old'])
    const plainText = rank(cs, input({ needs: chatNeeds([{ role: 'user', content: 'hi' }], {}) }))
    assert.equal(plainText.ranked.length, 4, 'plain text goes anywhere, 1.0.0 nodes included')
  })

  it('no candidate: the error says what nobody can do, or that the mesh has no model at all', () => {
    const needs = chatNeeds([{ role: 'user', content: 'x', images: [{ mimeType: 'image/png', data: new Uint8Array(1) }] }], {})
    const { excluded } = rank([cand({})], input({ needs }))
    const e = noCandidate({ task: ID, model: 'best', spec: { kind: 'best' }, residency: 'mesh', needs, excluded, triedAll: false, now: 0 })
    assert.equal(e.code, 'unsupported')
    assert.match(e.message, /no model of the mesh that is a model can take images \(llama3\.2:3b cannot\)/)
    const empty = noCandidate({ task: ID, model: 'best', spec: { kind: 'best' }, residency: 'mesh', needs: chatNeeds([{ role: 'user', content: 'x' }], {}), excluded: rank([], input()).excluded, triedAll: false, now: 0 })
    assert.match(empty.message, /no device of the mesh offers any model yet/)
    assert.match(empty.hint, /Ollama/)
    const ctx = rank([cand({ contextLength: 100 })], input({ needs: chatNeeds([{ role: 'user', content: 'y'.repeat(4000) }], {}) }))
    assert.match(noCandidate({ task: ID, model: 'llama3.2:3b', spec: { kind: 'exact', name: 'llama3.2:3b' }, residency: 'mesh', needs: chatNeeds([{ role: 'user', content: 'y'.repeat(4000) }], {}), excluded: ctx.excluded, triedAll: false, now: 0 }).message, /longer than the context of every model that is llama3\.2:3b \(the largest holds 100 tokens\)/)
  })
})
