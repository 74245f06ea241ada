import { open, stat } from 'node:fs/promises'
import { ModelFileError } from './errors.js'
import { llamaFor, loadRuntime } from './runtime.js'

/** What a GGUF file says of its model: what the node advertises, read once when the file is added. */
export interface ModelCard {
  architecture: string
  /** general.name, where the file has one. */
  title?: string
  parameters: number
  /** The file type, e.g. Q4_K_M or F16. */
  quantization: string
  /** The context the model was trained for. */
  contextLength: number
  embeddingLength: number
  chatTemplate: boolean
  /** The chat template takes tools. */
  tools: boolean
  /** An embedding model (pooled, or without a decoder): no chat. */
  embeddingOnly: boolean
}

/** The first four bytes of every GGUF file. */
const GGUF_MAGIC = 'GGUF'

async function magicOf (path: string): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(4)
    await fh.read(buf, 0, 4, 0)
    return buf.toString('latin1')
  } finally {
    await fh.close()
  }
}

/**
 * Reads and checks a GGUF file: its header parses, llama.cpp knows its
 * architecture, and the file holds every byte its tensors need (a truncated
 * download parses but does not load). Throws ModelFileError naming what is
 * wrong.
 */
export async function inspectModel (path: string, options: { signal?: AbortSignal } = {}): Promise<ModelCard> {
  const size = (await stat(path)).size
  if (size < 32 || await magicOf(path) !== GGUF_MAGIC) throw new ModelFileError('not-gguf', `${path} is not a GGUF file`)
  const { readGgufFileInfo, GgufInsights, GgufFileType } = await loadRuntime()
  options.signal?.throwIfAborted()
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>
  try {
    info = await readGgufFileInfo(path, { logWarnings: false, signal: options.signal })
  } catch (err) {
    options.signal?.throwIfAborted()
    throw new ModelFileError(size < 1024 * 1024 ? 'truncated' : 'not-gguf', `${path} is not a readable GGUF file: ${String((err as Error)?.message ?? err).slice(0, 160)}`, { cause: err })
  }
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? []
  if (tensors.length === 0) throw new ModelFileError('not-gguf', `${path} has no tensors: it is not a model`)
  if (info.splicedParts > 1) throw new ModelFileError('unsupported', `${path} is one part of a split model`, { hint: 'merge the parts into one file first (llama-gguf-split --merge)' })
  const insights = await GgufInsights.from(info, await llamaFor('none'))
  const first = tensors[0] as (typeof tensors)[number]
  const dataStart = Number(BigInt(first.fileOffset) - BigInt(first.offset))
  const needed = dataStart + insights.modelSize
  if (needed > size) throw new ModelFileError('truncated', `${path} is truncated: its tensors need ${needed} bytes, the file has ${size}`)
  if (!insights.isSupportedByLlamaCpp) throw new ModelFileError('unsupported', `llama.cpp cannot run the architecture "${String(info.metadata.general?.architecture)}" of ${path}`)
  const meta = info.metadata as unknown as { general?: { architecture?: string, name?: string, file_type?: number }, tokenizer?: { chat_template?: string } }
  const arch = String(meta.general?.architecture ?? 'unknown')
  const archMeta = (info.architectureMetadata ?? {}) as { pooling_type?: number }
  const template = meta.tokenizer?.chat_template
  const fileType = meta.general?.file_type
  const quantization = fileType != null && GgufFileType[fileType] != null ? String(GgufFileType[fileType]).replace(/^(MOSTLY|ALL)_/, '') : ''
  return {
    architecture: arch,
    ...(typeof meta.general?.name === 'string' ? { title: meta.general.name.slice(0, 200) } : {}),
    parameters: insights.totalParameters,
    quantization,
    contextLength: insights.trainContextSize ?? 0,
    embeddingLength: insights.embeddingVectorSize ?? 0,
    chatTemplate: typeof template === 'string' && template.length > 0,
    tools: typeof template === 'string' && /\btools\b/.test(template),
    embeddingOnly: (archMeta.pooling_type != null && archMeta.pooling_type > 0) || !insights.hasDecoder
  }
}
