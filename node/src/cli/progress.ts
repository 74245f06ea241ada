/**
 * A one-line progress display on stderr for long operations: shown only on
 * a terminal, rewritten at most every 100 ms, cleared at the end.
 */
export interface Progress {
  update: (done: number, total: number) => void
  end: () => void
}

export function progress (label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return { update: () => {}, end: () => {} }
  const started = performance.now()
  let last = 0
  let shown = false
  return {
    update: (done, total) => {
      const now = performance.now()
      if (now - last < 100 && done < total) return
      last = now
      const rate = done / Math.max((now - started) / 1000, 0.001)
      const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : ''
      stream.write(`\r\x1b[K${label} ${done.toLocaleString('en-US')}${total > 0 ? `/${total.toLocaleString('en-US')}` : ''}${pct}, ${Math.round(rate).toLocaleString('en-US')}/s`)
      shown = true
    },
    end: () => {
      if (shown) stream.write('\r\x1b[K')
    }
  }
}
