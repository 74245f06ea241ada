import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { decoders, isCrash } from './decoders.js'

export interface FuzzResult {
  pass: boolean
  inputsPerDecoder: number
  decoders: number
  inputs: number
  crashes: Array<{ decoder: string, input: string, error: string }>
  /** The slowest single decode, and which. */
  slowestMs: number
  slowestDecoder: string
  hangs: number
  heapGrowthMb: number
  ms: number
}

/** Random bytes, or a valid input mutated: bits flipped, cut, grown, a run repeated, bytes spliced in. */
function inputs (seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ maxLength: 2048 })
  if (seeds.length === 0) return random
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 8 })).map(([seed, edits]) => {
    let b = Uint8Array.from(seed)
    for (const [at, value, op] of edits) {
      const i = b.byteLength === 0 ? 0 : at % b.byteLength
      if (op === 0 && b.byteLength > 0) b[i] = (b[i] as number) ^ (1 << (value % 8))
      else if (op === 1) b = b.slice(0, i)
      else if (op === 2) b = Uint8Array.from([...b.slice(0, i), value, ...b.slice(i)])
      else if (op === 3) b = Uint8Array.from([...b.slice(0, i), ...b.slice(i, i + 64), ...b.slice(i)])
      else if (b.byteLength > 0) b[i] = value
    }
    return b
  })
  return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: random, weight: 1 })
}

/** A full collection, with or without --expose-gc: the growth measured is what stays, not garbage not yet collected. */
function collect (): void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) { exposed(); return }
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

const heapMb = (): number => {
  collect()
  return process.memoryUsage().heapUsed / 1048576
}

/**
 * Matrix row 12: every decoder (harness/decoders.ts) fed `perDecoder`
 * random and mutated inputs. A crash is an error no correct decoder throws
 * (isCrash); a hang a single decode over 1 s; the heap is measured before
 * and after, each time after a full collection.
 */
export async function fuzzDecoders (perDecoder: number, options: { seed?: number, onProgress?: (decoder: string) => void } = {}): Promise<FuzzResult> {
  const started = Date.now()
  const list = decoders()
  const crashes: FuzzResult['crashes'] = []
  let slowestMs = 0
  let slowestDecoder = ''
  let hangs = 0
  const before = heapMb()
  for (const d of list) {
    options.onProgress?.(d.name)
    // each input is decoded to the end (a decoder that answers with a promise is awaited) before the next
    await fc.assert(fc.asyncProperty(inputs(d.seeds), async (input) => {
      const t = performance.now()
      try {
        await d.decode(input)
      } catch (err) {
        if (isCrash(err) && crashes.length < 50) crashes.push({ decoder: d.name, input: Buffer.from(input).toString('hex').slice(0, 400), error: String((err as Error).stack ?? err).slice(0, 400) })
      }
      const ms = performance.now() - t
      if (ms > slowestMs) { slowestMs = ms; slowestDecoder = d.name }
      if (ms > 1_000) hangs++
      return true
    }), { numRuns: perDecoder, seed: options.seed ?? 1, endOnFailure: false })
  }
  const heapGrowthMb = Math.round((heapMb() - before) * 10) / 10
  return { pass: crashes.length === 0 && hangs === 0 && heapGrowthMb < 50, inputsPerDecoder: perDecoder, decoders: list.length, inputs: perDecoder * list.length, crashes, slowestMs: Math.round(slowestMs * 10) / 10, slowestDecoder, hangs, heapGrowthMb, ms: Date.now() - started }
}
