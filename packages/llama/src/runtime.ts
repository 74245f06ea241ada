import { ModelFileError } from './errors.js'
import type * as NodeLlamaCpp from 'node-llama-cpp'
import type { Llama } from 'node-llama-cpp'

/** The GPU to use: auto (what the machine has, else CPU), none (CPU only), or one backend. */
export type GpuSetting = 'auto' | 'none' | 'cuda' | 'vulkan' | 'metal'

type Runtime = typeof NodeLlamaCpp

let runtime: Promise<Runtime> | undefined
const instances = new Map<string, Promise<Llama>>()

/**
 * node-llama-cpp, imported on first use only: a node without embedded models
 * never loads it (its import alone costs about 50 MiB and 0.3 s).
 */
export async function loadRuntime (): Promise<Runtime> {
  runtime ??= import('node-llama-cpp').catch((err: unknown) => {
    runtime = undefined
    throw new ModelFileError('runtime', `node-llama-cpp is not installed or does not load: ${String((err as Error)?.message ?? err).slice(0, 200)}`, { cause: err })
  })
  return await runtime
}

/** The llama.cpp binding for a GPU setting, made once per process (prebuilt binaries only: never a build from source). */
export async function llamaFor (gpu: GpuSetting = 'auto'): Promise<Llama> {
  let llama = instances.get(gpu)
  if (llama == null) {
    llama = (async () => {
      const { getLlama, LlamaLogLevel } = await loadRuntime()
      try {
        return await getLlama({ gpu: gpu === 'none' ? false : gpu, build: 'never', logLevel: LlamaLogLevel.error, logger: () => {}, progressLogs: false, skipDownload: true })
      } catch (err) {
        throw new ModelFileError('runtime', `llama.cpp does not load here (gpu ${gpu}): ${String((err as Error)?.message ?? err).slice(0, 200)}`, { cause: err })
      }
    })()
    llama.catch(() => { instances.delete(gpu) })
    instances.set(gpu, llama)
  }
  return await llama
}
