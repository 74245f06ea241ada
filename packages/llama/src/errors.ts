/**
 * Typed errors of @smesh/llama's model store. `code` names what is wrong with
 * a model file or its source; `hint` says what to do. Provider failures
 * (loading, generating) are @smesh/inference's ProviderError instead.
 */
export type ModelFileErrorCode = 'not-gguf' | 'truncated' | 'unsupported' | 'checksum' | 'exists' | 'not-found' | 'name' | 'download' | 'runtime'

const HINTS: Record<ModelFileErrorCode, string> = {
  'not-gguf': 'give a .gguf model file (llama.cpp\'s format), for example one from Hugging Face',
  truncated: 'the file is incomplete: download it again (smesh model add resumes a cut download)',
  unsupported: 'this build of llama.cpp cannot run the model\'s architecture; try another model',
  checksum: 'the file is not the one expected: check the --sha256 value and the source',
  exists: 'remove the old one first (smesh model rm NAME) or give another --name',
  'not-found': 'see the models on this device with smesh model ls',
  name: 'use 1-64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  download: 'check the URL and the network (HTTPS_PROXY and NO_PROXY are honoured); run the command again to resume',
  runtime: 'node-llama-cpp could not load its native binary on this machine: reinstall (bootstrap/install.sh) or use Ollama'
}

export class ModelFileError extends Error {
  static override readonly name = 'ModelFileError'
  override readonly name = 'ModelFileError'
  readonly hint: string
  constructor (readonly code: ModelFileErrorCode, message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options)
    this.hint = options?.hint ?? HINTS[code]
  }
}
