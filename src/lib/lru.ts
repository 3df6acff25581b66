/**
 * A bounded map that forgets the least recently used entry. Every per-key cache and
 * limiter in the gateway uses it, so 100k distinct keys never grow memory without bound.
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>()
  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set(key: K, value: V): this {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next()
      if (!oldest.done) this.#map.delete(oldest.value)
    }
    return this
  }

  has(key: K): boolean {
    return this.#map.has(key)
  }

  delete(key: K): boolean {
    return this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
  }

  get size(): number {
    return this.#map.size
  }

  keys(): IterableIterator<K> {
    return this.#map.keys()
  }

  entries(): IterableIterator<[K, V]> {
    return this.#map.entries()
  }
}
