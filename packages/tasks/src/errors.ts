/**
 * Typed errors of @smesh/tasks. Each carries a `code` (the same codes travel
 * in TaskError frames) and a hint saying what the user can do.
 */
export type TaskErrorCode =
  | 'residency' | 'no-candidate' | 'not-allowed' | 'busy' | 'malformed' | 'unknown-model' | 'unsupported' | 'protocol' | 'deadline'
  | 'rate-limit' | 'overloaded' | 'server' | 'connection' | 'timeout' | 'auth' | 'not-found' | 'bad-request' | 'too-large' | 'aborted'

const HINTS: Partial<Record<TaskErrorCode, string>> = {
  residency: 'allow a wider residency with --residency mesh or --residency cloud, or run a model on a device the residency allows',
  'no-candidate': 'see what the mesh can run with `smesh models`; start a node that has the model, or name another with --model',
  'not-allowed': 'the device\'s lease lacks the scope task.submit or task.serve: see `smesh members`',
  busy: 'every candidate is at its concurrency limit; try again shortly',
  'unknown-model': 'see what the mesh can run with `smesh models`',
  unsupported: 'no model that matches does what the task asks (tools, images, JSON output, embeddings): see `smesh models --json` for each model\'s capabilities',
  'too-large': 'shorten the prompt or ask for fewer tokens',
  deadline: 'the task ran past its deadline; give it more time or a faster model',
  aborted: 'the task was cancelled'
}

export class TaskFailedError extends Error {
  static override readonly name: string = 'TaskFailedError'
  override readonly name: string = 'TaskFailedError'
  readonly hint: string
  constructor (readonly code: TaskErrorCode, message: string, readonly retryAfterMs?: number, options?: ErrorOptions & { hint?: string }) {
    super(message, options)
    this.hint = options?.hint ?? HINTS[code] ?? 'see the node\'s log'
  }

  /** Whether another candidate may take the task over. */
  get retryable (): boolean {
    return !['aborted', 'too-large', 'bad-request', 'malformed', 'deadline', 'residency', 'not-allowed'].includes(this.code)
  }
}

/** A task the residency forbids everywhere it could run: it failed closed. */
export class ResidencyError extends TaskFailedError {
  static override readonly name = 'ResidencyError'
  override readonly name = 'ResidencyError'
  constructor (message: string) {
    super('residency', message)
  }
}

/** Bad input to the router or the protocol (a model spec, a residency, a message list). */
export class InvalidTaskError extends TaskFailedError {
  static override readonly name = 'InvalidTaskError'
  override readonly name = 'InvalidTaskError'
  constructor (message: string, hint?: string) {
    super('malformed', message, undefined, { hint: hint ?? 'see `smesh run --help`' })
  }
}

export const TASK_ERROR_CODES: readonly TaskErrorCode[] = ['residency', 'no-candidate', 'not-allowed', 'busy', 'malformed', 'unknown-model', 'unsupported', 'protocol', 'deadline', 'rate-limit', 'overloaded', 'server', 'connection', 'timeout', 'auth', 'not-found', 'bad-request', 'too-large', 'aborted']

export function isTaskErrorCode (s: string): s is TaskErrorCode {
  return (TASK_ERROR_CODES as readonly string[]).includes(s)
}
