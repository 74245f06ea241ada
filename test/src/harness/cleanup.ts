/**
 * One place for what the harness must undo however the test process ends:
 * normal exit, a failed test, or an interruption (SIGINT, SIGTERM, SIGHUP).
 * Cleanups run synchronously, last registered first, each at most once.
 */
const cleanups = new Map<symbol, () => void>()
let installed = false

function runAll (): void {
  for (const [key, fn] of [...cleanups].reverse()) {
    cleanups.delete(key)
    try {
      fn()
    } catch {
      // one failed cleanup must not stop the others; leftovers are listed by the next run's orphan sweep
    }
  }
}

/** Registers a cleanup; returns a function that runs it now and unregisters it. */
export function onCleanup (fn: () => void): () => void {
  if (!installed) {
    installed = true
    process.on('exit', runAll)
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      process.once(sig, () => {
        runAll()
        process.exit(code)
      })
    }
  }
  const key = Symbol('cleanup')
  cleanups.set(key, fn)
  return () => {
    if (cleanups.delete(key)) fn()
  }
}
