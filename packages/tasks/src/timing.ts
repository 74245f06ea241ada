/** Most candidates one task (or one embedding batch) is tried on. */
export const MAX_ATTEMPTS = 5
/** How often a task waits for a full node (100 ms more each time, at most 1 s) before it fails as busy. */
export const MAX_BUSY_WAITS = 120

/** Waits `ms`, or until `signal` aborts. */
export async function pause (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })
}
