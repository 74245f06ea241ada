import { createSigner } from '@smesh/bus'
import { Executor } from '@smesh/tasks'
import { progress, summarize } from './stats.js'
import type { ModelInfo, Provider } from '@smesh/inference'

/**
 * Building the advert of a node with a large model list: `providers`
 * providers of `models` models each (far past the advert's budget, so it is
 * trimmed), built `reps` times after a list that changed (fresh) and again
 * with the same list (served from the signed cache, as on most beacons).
 */
export async function benchAdvert (options: { providers: number, models: number, reps: number }): Promise<Record<string, unknown>> {
  progress(`advert: ${options.providers} providers x ${options.models} models, ${options.reps} reps`)
  let round = 0
  const providers: Provider[] = Array.from({ length: options.providers }, (_, p) => ({
    name: `p${p}`,
    kind: 'openai',
    tier: 'local',
    models: async (): Promise<ModelInfo[]> => Array.from({ length: options.models }, (_, i) => ({
      name: `vendor/model-${p}-${i}-${round}-with-a-long-name:q4_K_M`, loaded: i === 0, capabilities: ['completion'], digest: 'sha256:' + 'ab'.repeat(32), family: 'llama', sizeBytes: 4e9, contextLength: 8192
    })),
    chat: async () => { throw new Error('unused') }
  }))
  const executor = new Executor({ peerId: 'bench', providers, signer: createSigner(new Uint8Array(32).fill(9)) })
  const fresh: number[] = []
  const cached: number[] = []
  let kept = 0
  for (let i = 0; i <= options.reps; i++) {
    round = i
    await executor.refresh()
    let t = performance.now()
    const bytes = executor.advert()
    const f = performance.now() - t
    t = performance.now()
    executor.advert()
    const c = performance.now() - t
    if (i === 0) continue // warm-up
    fresh.push(f)
    cached.push(c)
    kept = bytes.byteLength
  }
  return {
    providers: options.providers,
    modelsPerProvider: options.models,
    advertBytes: kept,
    freshMs: summarize(fresh),
    cachedMs: summarize(cached),
    method: 'Executor.advert() in-process with scripted providers (long model names, digests); fresh = the first advert after refresh() returned a changed list (trimmed to the 16 KiB budget, ML-DSA-65 signed); cached = the same call again with the list unchanged'
  }
}
