/** What the next candidate is told when it takes over a cut-off answer. */
export const CONTINUE_PROMPT = 'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat anything already written and add no preamble.'

/** A repeat shorter than this is taken for new text that happens to match. */
export const MIN_OVERLAP = 12
/** How much of a continuation is held back to look for a repeat of the partial answer. */
const LOOKAHEAD = 200

/**
 * The continuation of a cut-off answer, with any text it repeats from the
 * end of the partial answer removed: models asked to continue often restate
 * the last words. The first LOOKAHEAD characters are held back until the
 * repeat (if any) is known.
 */
export class Continuation {
  private held = ''
  private settled = false

  constructor (private readonly partial: string, private readonly emit: (text: string) => void) {}

  push (text: string): void {
    if (this.settled) {
      this.emit(text)
      return
    }
    this.held += text
    if (this.held.length >= Math.min(LOOKAHEAD, this.partial.length + MIN_OVERLAP)) this.settle()
  }

  /** The stream ended: whatever is held goes out. */
  end (): void {
    if (!this.settled) this.settle()
  }

  private settle (): void {
    this.settled = true
    const k = overlap(this.partial, this.held)
    const rest = this.held.slice(k)
    this.held = ''
    if (rest !== '') this.emit(rest)
  }
}

/** Length of the longest prefix of `next` that ends `prev`, if at least MIN_OVERLAP long; else 0. */
export function overlap (prev: string, next: string): number {
  const max = Math.min(prev.length, next.length, LOOKAHEAD * 4)
  for (let k = max; k >= MIN_OVERLAP; k--) {
    if (prev.endsWith(next.slice(0, k))) return k
  }
  return 0
}
