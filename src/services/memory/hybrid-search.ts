import { getLogger } from '@logtape/logtape'
import { LruMap } from '../../lib/lru'
import type { MemorySearchResponse, MemorySearchResult } from '../../protocol/memory'
import type { Db, Dialect } from '../../store/database'
import type { EmbeddingProvider } from './embedding-provider'
import { fullTextSearch, queryTerms } from './full-text'
import { prefixUpperBound } from './memory-path'
import { reciprocalRankFusion } from './rank-fusion'
import { buildSnippet } from './snippet'
import { normalized } from './vector-codec'
import { VectorIndex } from './vector-index'

const log = getLogger(['gateway', 'memory'])
const PROVIDER_RETRY_MS = 60_000

export interface HybridSearchOptions {
  db: Db
  dialect: Dialect
  embeddings?: EmbeddingProvider | undefined
  /** Candidates taken from each ranking before fusion. */
  candidates?: number
  /** How long a search waits for the query's embedding before answering on full text alone. */
  queryEmbeddingTimeoutMs?: number
  onUsage?: ((userId: string, tokens: number) => void | Promise<void>) | undefined
}

/**
 * Hybrid search over a user's chunks: full-text (FTS5 bm25 / tsvector ts_rank) and, when an
 * embedding model is configured, cosine similarity to the query's embedding; the two rankings
 * are fused with reciprocal rank fusion. If the provider fails, the search still answers on
 * full text (`mode: "full_text"`).
 */
export class HybridSearch {
  readonly #index: VectorIndex | undefined
  readonly #candidates: number
  /** Recent query embeddings: a user refining a search, or the agent repeating one, costs nothing. */
  readonly #queryVectors = new LruMap<string, Float32Array>(256)
  /** After a failed query embedding, searches skip the provider until then (a hung provider must not slow every search). */
  #providerDownUntil = 0

  constructor(private readonly options: HybridSearchOptions) {
    this.#index = options.embeddings ? new VectorIndex(options.db, options.embeddings.model) : undefined
    this.#candidates = options.candidates ?? 50
  }

  forget(userId: string): void {
    this.#index?.forget(userId)
  }

  async search(userId: string, request: { query: string; limit: number; prefix?: string | undefined }): Promise<MemorySearchResponse> {
    const { db, dialect } = this.options
    const terms = queryTerms(request.query)
    const [fts, vector] = await Promise.all([
      fullTextSearch(db, dialect, { userId, terms, limit: this.#candidates, prefix: request.prefix }),
      this.#vectorSearch(userId, request.query, request.prefix),
    ])
    const fused = reciprocalRankFusion([fts.map((h) => h.chunkId), vector?.map((h) => h.chunkId) ?? []]).slice(0, request.limit)
    if (fused.length === 0) return { results: [], mode: vector ? 'hybrid' : 'full_text' }
    // By id alone: with a user_id condition, SQLite (no statistics) may scan the user's chunks
    // instead of the id index. The ids come from user-scoped rankings; the owner is checked below.
    const rows = await db
      .selectFrom('memory_chunks as c')
      .innerJoin('memory_documents as d', 'd.id', 'c.document_id')
      .select(['c.id', 'c.user_id', 'c.document_id', 'c.heading', 'c.content', 'd.path'])
      .where(
        'c.id',
        'in',
        fused.map((h) => h.id),
      )
      .execute()
    const byId = new Map(rows.filter((r) => r.user_id === userId).map((r) => [r.id, r]))
    const results: MemorySearchResult[] = []
    for (const hit of fused) {
      const row = byId.get(hit.id)
      if (!row) continue // deleted between ranking and loading
      const { snippet, highlights } = buildSnippet(row.content, terms)
      results.push({
        path: row.path,
        document_id: row.document_id,
        chunk_id: row.id,
        content: row.content,
        heading: row.heading,
        snippet,
        highlights,
        score: hit.score,
        fts_rank: hit.ranks[0] ?? null,
        vector_rank: hit.ranks[1] ?? null,
      })
    }
    return { results, mode: vector ? 'hybrid' : 'full_text' }
  }

  /** Nearest chunks by embedding, or undefined when embeddings are off or the provider failed. */
  async #vectorSearch(userId: string, query: string, prefix: string | undefined) {
    const { embeddings } = this.options
    if (!embeddings || !this.#index) return undefined
    // Nothing embedded yet (or the provider is failing): answer on full text without waiting.
    if ((await this.#index.size(userId)) === 0) return undefined
    const vector = await this.#embedQuery(userId, query)
    if (!vector) return undefined
    let documentIds: Set<string> | undefined
    if (prefix) {
      const docs = await this.options.db
        .selectFrom('memory_documents')
        .select('id')
        .where('user_id', '=', userId)
        .where('path', '>=', prefix)
        .where('path', '<', prefixUpperBound(prefix))
        .execute()
      documentIds = new Set(docs.map((d) => d.id))
    }
    return this.#index.nearest(userId, vector, { limit: this.#candidates, documentIds })
  }

  async #embedQuery(userId: string, query: string): Promise<Float32Array | undefined> {
    const embeddings = this.options.embeddings!
    const cached = this.#queryVectors.get(query)
    if (cached) return cached
    if (Date.now() < this.#providerDownUntil) return undefined
    try {
      const { vectors, tokens } = await embeddings.embed([query], { timeoutMs: this.options.queryEmbeddingTimeoutMs ?? 8_000 })
      if (tokens > 0) await this.options.onUsage?.(userId, tokens)
      const vector = normalized(vectors[0]!)
      if (vector) this.#queryVectors.set(query, vector)
      return vector
    } catch (error) {
      this.#providerDownUntil = Date.now() + PROVIDER_RETRY_MS
      log.warn('memory search: query embedding failed, answering on full text alone for a minute: {error}', { error: String(error) })
      return undefined
    }
  }
}
