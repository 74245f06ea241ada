/**
 * Ends an answer at the first of its stop sequences, whatever the backend
 * did with them: text is passed on except for the last (longest stop - 1)
 * characters, held back until it is known that no stop sequence starts in
 * them. Once one matches, the text before it is passed on and nothing after.
 */
export class StopScanner {
  private held = ''
  private readonly keep: number
  /** The stop sequence that ended the answer. */
  matched?: string

  constructor (private readonly stops: string[], private readonly emit: (text: string) => void) {
    this.keep = Math.max(0, ...stops.map(s => s.length)) - 1
  }

  get active (): boolean {
    return this.stops.length > 0
  }

  /** Passes text on; true once a stop sequence has matched (then the rest is dropped). */
  push (text: string): boolean {
    if (this.matched != null) return true
    if (!this.active) {
      this.emit(text)
      return false
    }
    const buf = this.held + text
    let at = -1
    for (const s of this.stops) {
      const i = buf.indexOf(s)
      if (i >= 0 && (at < 0 || i < at)) {
        at = i
        this.matched = s
      }
    }
    if (at >= 0) {
      this.held = ''
      if (at > 0) this.emit(buf.slice(0, at))
      return true
    }
    let cut = Math.max(0, buf.length - this.keep)
    // never between the halves of a surrogate pair
    const c = buf.charCodeAt(cut - 1)
    if (cut > 0 && cut < buf.length && c >= 0xd800 && c <= 0xdbff) cut--
    if (cut > 0) this.emit(buf.slice(0, cut))
    this.held = buf.slice(cut)
    return false
  }

  /** The answer ended without a stop sequence: what is held goes out. */
  end (): void {
    if (this.matched == null && this.held !== '') this.emit(this.held)
    this.held = ''
  }
}
