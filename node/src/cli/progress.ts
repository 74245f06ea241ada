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

/** Bytes as people read them: 512 B, 12.3 MiB, 4.1 GiB. */
export function bytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i] as string}`
}

/**
 * Progress of a transfer on stderr: bytes, percent, rate and time left. On a
 * terminal one line rewritten every 100 ms; otherwise (a log, a pipe) a
 * plain line at each further 10 %.
 */
export function transferProgress (label: string, stream: NodeJS.WriteStream = process.stderr): { update: (done: number, total: number, resumedFrom: number) => void, end: () => void } {
  const started = performance.now()
  const tty = stream.isTTY === true
  let last = 0
  let step = -1
  let shown = false
  return {
    update: (done, total, resumedFrom) => {
      const now = performance.now()
      const rate = (done - resumedFrom) / Math.max((now - started) / 1000, 0.001)
      const pct = total > 0 ? Math.floor((100 * done) / total) : -1
      if (tty ? now - last < 100 && (total === 0 || done < total) : pct < 0 ? now - last < 5_000 : Math.floor(pct / 10) <= step) return
      last = now
      step = Math.floor(pct / 10)
      const eta = total > 0 && rate > 0 ? `, ${Math.ceil((total - done) / rate)} s left` : ''
      const line = `${label} ${bytes(done)}${total > 0 ? ` of ${bytes(total)} (${pct}%)` : ''}, ${bytes(Math.round(rate))}/s${eta}${resumedFrom > 0 ? ` (resumed at ${bytes(resumedFrom)})` : ''}`
      stream.write(tty ? `\r\x1b[K${line}` : `${line}\n`)
      shown = true
    },
    end: () => {
      if (shown && tty) stream.write('\r\x1b[K')
    }
  }
}
