/**
 * What a task may ask of the backend that serves it beyond the common
 * fields, in one place: the gateway takes these from Ollama clients, the
 * task protocol carries them, the serving node refuses any other.
 */

/** Sampling and context options a client may set (Ollama's names). Hardware options (num_gpu, num_thread, use_mlock, numa, ...) are not among them. */
export const BACKEND_OPTIONS: ReadonlySet<string> = new Set([
  'top_k', 'min_p', 'typical_p', 'tfs_z', 'repeat_last_n', 'repeat_penalty', 'presence_penalty', 'frequency_penalty',
  'mirostat', 'mirostat_tau', 'mirostat_eta', 'penalize_newline', 'num_ctx', 'num_keep'
])

/** keep_alive as it travels: a non-negative duration (a number with s, m or h; 0 unloads at once). */
export const KEEP_ALIVE = /^\d{1,6}(\.\d+)?(ms|s|m|h)$/

/** Longest a task may keep a model in memory after it (a peer cannot pin a model forever). */
export const MAX_KEEP_ALIVE_MS = 30 * 60_000

/** keep_alive in milliseconds (undefined when not a duration). */
export function keepAliveMs (text: string): number | undefined {
  const m = /^(\d{1,6}(?:\.\d+)?)(ms|s|m|h)$/.exec(text)
  if (m == null) return undefined
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'])
}
