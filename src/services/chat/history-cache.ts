/**
 * Rendered history pages (the JSON the route sends) by thread, page and the thread's version:
 * a history request whose thread has not moved since is one indexed read of that version and a
 * lookup, instead of four queries and a render (bench: `http GET /api/chat/history`). The
 * database raises the version on every write to the thread's turns and approvals (migration
 * 0010), so a stale page is never served, by this instance or after another one wrote.
 *
 * Where the store counts every write to the database (SQLite, one process), a page also
 * remembers the count at which it was last known current: while the count has not moved, it is
 * sent without reading the version at all.
 *
 * Bounded by bytes, oldest page out first; a thread's older versions are dropped as a newer one
 * is stored.
 */
export class HistoryCache {
  readonly #pages = new Map<string, Page>()
  #bytes = 0

  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}

  /**
   * The page, if nothing was written since it was last known current (`writes`: the store's
   * count now). Only for the user it was rendered for: the version read that checks ownership
   * is what this skips.
   */
  unchanged(userId: string, threadId: string, page: string, writes: number): string | undefined {
    const entry = this.#pages.get(`${threadId} ${page}`)
    return entry?.userId === userId && entry.writes === writes ? entry.json : undefined
  }

  /** The page rendered at `version`; `writes` (the count before the version was read) marks it current. */
  get(threadId: string, page: string, version: number, writes?: number): string | undefined {
    const entry = this.#pages.get(`${threadId} ${page}`)
    if (entry?.version !== version) return undefined
    entry.writes = writes
    return entry.json
  }

  set(entry: { userId: string; threadId: string; page: string; version: number; writes: number | undefined; json: string }): void {
    const { userId, threadId, page, version, writes, json } = entry
    if (json.length > this.maxBytes / 4) return
    const key = `${threadId} ${page}`
    this.#delete(key)
    // The thread moved: its other pages are stale too.
    for (const [other, kept] of this.#pages) if (kept.threadId === threadId && kept.version < version) this.#delete(other)
    this.#pages.set(key, { userId, threadId, version, writes, json })
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

interface Page {
  userId: string
  threadId: string
  version: number
  /** The store's write count when the page was last known current; undefined where it counts none. */
  writes: number | undefined
  json: string
}
