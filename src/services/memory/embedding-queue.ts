import { sql } from 'kysely'
import { type Clock, isoNow, unrefTimer } from '../../lib/time'
import type { Db } from '../../store/database'
import { embeddingText } from './chunker'
import { EmbeddingInputError, type EmbeddingProvider } from './embedding-provider'
import { encodeVector } from './vector-codec'

export interface EmbeddingQueueOptions {
  /** Texts per provider request. */
  batchSize?: number
  /** Characters of a chunk sent (chunks are bounded well below; this guards odd providers). */
  maxTextChars?: number
  /** Called with the tokens each user's batch cost (the usage ledger). */
  onUsage?: (userId: string, tokens: number) => void | Promise<void>
  /** Called when a batch fails (the queue retries with backoff). */
  onError?: (error: unknown) => void
}

const MAX_BACKOFF_MS = 5 * 60_000

/**
 * Embeds chunks in the background. The database is the queue: a chunk is pending while it has no
 * embedding from the current model, so work survives restarts, a model change re-embeds
 * everything, and an edited document's new chunks are picked up by the next `kick()`. Batches
 * take one user's oldest pending chunks; provider failures back off exponentially; `close()`
 * aborts the request in flight and stops.
 */
export class EmbeddingQueue {
  readonly #batchSize: number
  readonly #maxTextChars: number
  #running: Promise<void> | undefined
  #dirty = false
  #closed = false
  #failures = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  readonly #abort = new AbortController()

  constructor(
    private readonly db: Db,
    readonly provider: EmbeddingProvider,
    private readonly clock: Clock,
    private readonly options: EmbeddingQueueOptions = {},
  ) {
    this.#batchSize = options.batchSize ?? 64
    this.#maxTextChars = options.maxTextChars ?? 8_000
  }

  get model(): string {
    return this.provider.model
  }

  /** Schedules a pass over pending chunks (no-op while backing off after a failure). */
  kick(): void {
    if (this.#closed || this.#retryTimer !== undefined) return
    this.#dirty = true
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined
      // A kick that landed between the last check and here must not be lost.
      if (this.#dirty) this.kick()
    })
  }

  /** Resolves when no pass is running (pending chunks may remain if the provider is failing). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** Chunks of a user that still wait for an embedding from the current model. */
  async pending(userId: string): Promise<number> {
    const row = await this.#pendingQuery()
      .where('user_id', '=', userId)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer)
    this.#abort.abort(new Error('gateway closing'))
    await this.#running?.catch(() => undefined)
  }

  #pendingQuery() {
    return this.db
      .selectFrom('memory_chunks')
      .where((eb) => eb.or([eb('embedding_model', 'is', null), eb('embedding_model', '<>', this.model)]))
  }

  async #drain(): Promise<void> {
    while (this.#dirty && !this.#closed) {
      this.#dirty = false
      for (;;) {
        if (this.#closed) return
        const batch = await this.#nextBatch()
        if (batch.length === 0) break
        try {
          await this.#embed(batch)
          this.#failures = 0
        } catch (error) {
          if (this.#closed) return
          this.options.onError?.(error)
          this.#failures++
          const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (this.#failures - 1))
          this.#retryTimer = unrefTimer(
            setTimeout(() => {
              this.#retryTimer = undefined
              this.kick()
            }, delay),
          )
          return
        }
      }
    }
  }

  async #nextBatch(): Promise<Array<{ id: string; user_id: string; heading: string; content: string }>> {
    const first = await this.#pendingQuery().select('user_id').orderBy('seq').limit(1).executeTakeFirst()
    if (!first) return []
    return this.#pendingQuery()
      .where('user_id', '=', first.user_id)
      .select(['id', 'user_id', 'heading', 'content'])
      .orderBy('seq')
      .limit(this.#batchSize)
      .execute()
  }

  async #embed(batch: Array<{ id: string; user_id: string; heading: string; content: string }>): Promise<void> {
    const texts = batch.map((c) => embeddingText(c).slice(0, this.#maxTextChars))
    let vectors: Array<number[] | undefined>
    let tokens = 0
    try {
      ;({ vectors, tokens } = await this.provider.embed(texts, { signal: this.#abort.signal }))
    } catch (error) {
      if (!(error instanceof EmbeddingInputError)) throw error
      // One text spoiled the batch: embed them one by one and mark the ones refused.
      vectors = []
      for (const text of texts) {
        try {
          const one = await this.provider.embed([text], { signal: this.#abort.signal })
          vectors.push(one.vectors[0])
          tokens += one.tokens
        } catch (inner) {
          if (!(inner instanceof EmbeddingInputError)) throw inner
          vectors.push(undefined)
        }
      }
    }
    const now = isoNow(this.clock)
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.length; i++) {
        const vector = vectors[i]
        // A chunk that was deleted meanwhile is simply not updated; its content never changes, so
        // the vector cannot be stale.
        await trx
          .updateTable('memory_chunks')
          .set({ embedding: vector ? (encodeVector(vector) ?? null) : null, embedding_model: this.model, embedded_at: now })
          .where('id', '=', batch[i]!.id)
          .execute()
      }
    })
    if (tokens > 0) await this.options.onUsage?.(batch[0]!.user_id, tokens)
  }
}

/** How many of a user's chunks carry an embedding from `model`. */
export async function embeddedCount(db: Db, userId: string, model: string): Promise<number> {
  const row = await db
    .selectFrom('memory_chunks')
    .where('user_id', '=', userId)
    .where('embedding_model', '=', model)
    .where('embedding', 'is not', null)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}
