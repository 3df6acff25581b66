import type { LogLine } from '../protocol/logs'

/**
 * The recent log lines and their live listeners: what `GET /api/logs/events` replays on
 * connect (oldest first) and then follows. Lines are redacted before they get here.
 */
export class LogFeed {
  readonly #ring: LogLine[] = []
  readonly #listeners = new Set<(line: LogLine) => void>()

  constructor(readonly capacity = 500) {}

  push(line: LogLine): void {
    this.#ring.push(line)
    if (this.#ring.length > this.capacity) this.#ring.splice(0, this.#ring.length - this.capacity)
    for (const listener of this.#listeners) {
      try {
        listener(line)
      } catch {
        // One broken stream must not stop the others, nor the logger.
      }
    }
  }

  recent(): LogLine[] {
    return [...this.#ring]
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get listeners(): number {
    return this.#listeners.size
  }
}
