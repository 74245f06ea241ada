/** A bounded set that forgets its oldest members first. */
export class BoundedSet<T> {
  private readonly items = new Set<T>()
  constructor (private readonly max: number) {}

  has (v: T): boolean { return this.items.has(v) }

  add (v: T): void {
    this.items.delete(v)
    this.items.add(v)
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as T)
  }

  get size (): number { return this.items.size }
}
