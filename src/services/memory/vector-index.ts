import { LruMap } from '../../lib/lru'
import type { Db } from '../../store/database'
import { decodeVector, dot } from './vector-codec'

interface UserVectors {
  byId: Map<string, { documentId: string; vector: Float32Array }>
}

export interface VectorHit {
  chunkId: string
  similarity: number
}

const FETCH_BATCH = 500

/**
 * Nearest chunks by cosine similarity, computed in the service over the user's stored vectors
 * (normalised, so a dot product). Vectors are cached per user: each search lists the ids that
 * currently carry an embedding from the model and loads only the new ones. A chunk row's vector
 * never changes (edits make new rows), so the cache cannot serve a stale vector.
 */
export class VectorIndex {
  readonly #cache: LruMap<string, UserVectors>
  readonly #loading = new Map<string, Promise<UserVectors>>()

  constructor(
    private readonly db: Db,
    readonly model: string,
    options: { cachedUsers?: number } = {},
  ) {
    this.#cache = new LruMap(options.cachedUsers ?? 8)
  }

  async nearest(userId: string, query: Float32Array, options: { limit: number; documentIds?: ReadonlySet<string> | undefined }): Promise<VectorHit[]> {
    const vectors = await this.#vectors(userId)
    const hits: VectorHit[] = []
    for (const [chunkId, entry] of vectors.byId) {
      if (entry.vector.length !== query.length) continue // another model's dimensions
      if (options.documentIds && !options.documentIds.has(entry.documentId)) continue
      const similarity = dot(query, entry.vector)
      if (similarity > 0) hits.push({ chunkId, similarity })
    }
    hits.sort((a, b) => b.similarity - a.similarity || (a.chunkId < b.chunkId ? -1 : 1))
    return hits.slice(0, options.limit)
  }

  forget(userId: string): void {
    this.#cache.delete(userId)
  }

  async #vectors(userId: string): Promise<UserVectors> {
    const inFlight = this.#loading.get(userId)
    if (inFlight) return inFlight
    const loading = this.#sync(userId).finally(() => this.#loading.delete(userId))
    this.#loading.set(userId, loading)
    return loading
  }

  async #sync(userId: string): Promise<UserVectors> {
    const cached = this.#cache.get(userId) ?? { byId: new Map() }
    const rows = await this.db
      .selectFrom('memory_chunks')
      .select(['id', 'document_id'])
      .where('user_id', '=', userId)
      .where('embedding_model', '=', this.model)
      .where('embedding', 'is not', null)
      .execute()
    const current = new Set<string>()
    const missing: Array<{ id: string; document_id: string }> = []
    for (const row of rows) {
      current.add(row.id)
      if (!cached.byId.has(row.id)) missing.push(row)
    }
    for (const id of cached.byId.keys()) if (!current.has(id)) cached.byId.delete(id)
    for (let i = 0; i < missing.length; i += FETCH_BATCH) {
      const ids = missing.slice(i, i + FETCH_BATCH).map((r) => r.id)
      const loaded = await this.db.selectFrom('memory_chunks').select(['id', 'document_id', 'embedding']).where('id', 'in', ids).execute()
      for (const row of loaded) {
        if (row.embedding) cached.byId.set(row.id, { documentId: row.document_id, vector: decodeVector(row.embedding) })
      }
    }
    this.#cache.set(userId, cached)
    return cached
  }
}
