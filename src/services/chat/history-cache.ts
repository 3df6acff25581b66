/**
 * Rendered history pages (the JSON the route sends) by thread, page and the thread's version:
 * a history request whose thread has not moved since is one indexed read of that version and a
 * lookup, instead of four queries and a render (bench: `http GET /api/chat/history`). The
 * database raises the version on every write to the thread's turns and approvals (migration
 * 0010), so a stale page is never served, by this instance or after another one wrote.
 *
 * Bounded by bytes, oldest page out first; a thread's older versions are dropped as a newer one
 * is stored.
 */
export class HistoryCache {
  readonly #pages = new Map<string, { threadId: string; version: number; json: string }>()
  #bytes = 0

  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}

  get(threadId: string, page: string, version: number): string | undefined {
    const entry = this.#pages.get(`${threadId} ${page}`)
    return entry?.version === version ? entry.json : undefined
  }

  set(threadId: string, page: string, version: number, json: string): void {
    if (json.length > this.maxBytes / 4) return
    const key = `${threadId} ${page}`
    this.#delete(key)
    // The thread moved: its other pages are stale too.
    for (const [other, entry] of this.#pages) if (entry.threadId === threadId && entry.version < version) this.#delete(other)
    this.#pages.set(key, { threadId, version, json })
    this.#bytes += json.length
    for (const oldest of this.#pages.keys()) {
      if (this.#bytes <= this.maxBytes) break
      this.#delete(oldest)
    }
  }

  #delete(key: string): void {
    const entry = this.#pages.get(key)
    if (!entry) return
    this.#pages.delete(key)
    this.#bytes -= entry.json.length
  }
}
