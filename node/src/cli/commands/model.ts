import { ModelFileError, ModelStore } from '@smesh/llama'
import { apiPost } from '../../api/client.js'
import { resolveConfig } from '../../config/load.js'
import { files } from '../../paths.js'
import { CliError } from '../cli-error.js'
import { table } from '../format.js'
import { bytes, transferProgress } from '../progress.js'
import type { StoredModel } from '@smesh/llama'

const out = (s: string): void => { process.stdout.write(s + '\n') }

/** The models directory of this node: its embedded provider's, as config.json sets it, or <data dir>/models. */
async function storeOf (dataDir: string): Promise<ModelStore> {
  let dir = files.models(dataDir)
  try {
    const config = await resolveConfig(dataDir, process.env, {})
    dir = config.inference.providers.find(p => p.kind === 'llama')?.dir ?? config.inference.modelsDir ?? dir
  } catch {
    // a config the node would refuse: its own error says why at start; the default directory serves here
  }
  return new ModelStore(dir)
}

/** A model file error as the CLI reports it (exit 1, with its hint); others pass. */
function cliError (err: unknown): unknown {
  if (err instanceof ModelFileError) return new CliError(err.message, err.hint, err.code === 'name' ? 2 : 1)
  return err
}

const params = (n: number): string => n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${Math.round(n / 1e3)}K` : String(n)

function describe (m: StoredModel): string {
  const c = m.card
  return `${m.name}: ${bytes(m.sizeBytes)}, ${c.architecture}, ${params(c.parameters)} parameters, ${c.quantization || 'unknown type'}, context ${c.contextLength}, embeddings ${c.embeddingLength}${c.chatTemplate ? '' : ', no chat template'}\nsha256 ${m.sha256}`
}

/** Tells a running node to read its models again (it would within 10 s anyway); no node running is fine. */
async function poke (dataDir: string): Promise<void> {
  try {
    await apiPost(dataDir, '/v1/models/refresh', {}, { signal: AbortSignal.timeout(5_000) })
  } catch {
    // no node running: it reads the directory when it starts
  }
}

export async function runModelAdd (dataDir: string, source: string, opts: { name?: string, sha256?: string, json?: boolean }): Promise<void> {
  const store = await storeOf(dataDir)
  const controller = new AbortController()
  const onSigint = (): void => { controller.abort() }
  process.once('SIGINT', onSigint)
  const bar = transferProgress(/^https?:\/\//i.test(source) ? 'downloading' : 'copying')
  try {
    const m = await store.add(source, {
      name: opts.name,
      sha256: opts.sha256,
      signal: controller.signal,
      onProgress: (p) => { bar.update(p.done, p.total, p.resumedFrom) },
      onValidate: () => { bar.end(); if (opts.json !== true) process.stderr.write('checking the file (GGUF header, tensors, architecture)\n') }
    })
    bar.end()
    await poke(dataDir)
    if (opts.json === true) out(JSON.stringify(m, null, 2))
    else {
      out(`added ${describe(m)}`)
      if (opts.sha256 == null) out('(no --sha256 was given: compare the digest above with the one the source publishes)')
    }
  } catch (err) {
    bar.end()
    if (controller.signal.aborted) throw new CliError('interrupted', 'run the same command again to resume the download', 130)
    throw cliError(err)
  } finally {
    process.off('SIGINT', onSigint)
  }
}

export async function runModelList (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const store = await storeOf(dataDir)
  const { models, pending } = await store.scan()
  if (opts.json === true) {
    out(JSON.stringify({ dir: store.dir, models, unchecked: pending }, null, 2))
    return
  }
  if (models.length === 0 && pending.length === 0) {
    out(`no models in ${store.dir}\nadd one with: smesh model add FILE.gguf (or a URL)`)
    return
  }
  const rows = [['NAME', 'SIZE', 'ARCH', 'PARAMS', 'TYPE', 'CONTEXT', 'EMBED', 'SHA256']]
  for (const m of models) rows.push([m.name, bytes(m.sizeBytes), m.card.architecture, params(m.card.parameters), m.card.quantization, String(m.card.contextLength), String(m.card.embeddingLength), m.sha256.slice(0, 12)])
  out(table(rows))
  for (const p of pending) out(`${p}: not checked yet (the node checks files dropped into ${store.dir} within a minute; invalid ones are logged and never offered)`)
}

export async function runModelRemove (dataDir: string, name: string, opts: { json?: boolean }): Promise<void> {
  const store = await storeOf(dataDir)
  try {
    await store.remove(name)
  } catch (err) {
    throw cliError(err)
  }
  await poke(dataDir)
  out(opts.json === true ? JSON.stringify({ removed: name }) : `removed ${name}`)
}
