import { LruMap } from '../../lib/lru'
import type { Db } from '../../store/database'
import { decodeVector } from './vector-codec'

/** One user's vectors for one model, as a contiguous row-major matrix (fast to scan). */
interface UserVectors {
  ids: string[]
  documentIds: string[]
  dims: number
  matrix: Float32Array
  /** What the rows looked like when loaded; a search reloads only when it differs. */
  fingerprint: string
}

export interface VectorHit {
  chunkId: string
  similarity: number
}

const FETCH_BATCH = 500

/**
 * Nearest chunks by cosine similarity, computed in the service over the user's stored vectors
 * (normalised, so a dot product). Vectors are cached per user: each search checks a cheap
 * fingerprint of the user's embedded rows and, when it moved, loads only the new vectors. A chunk
 * row's vector never changes (edits make new rows), so the cache cannot serve a stale vector.
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
    const { ids, documentIds, dims, matrix } = await this.#vectors(userId)
    if (dims !== query.length) return [] // stored by another model's dimensions
    // Top-k by insertion into a small sorted array: O(n log k), no sort of every chunk.
    const k = options.limit
    const top: VectorHit[] = []
    for (let row = 0, offset = 0; row < ids.length; row++, offset += dims) {
      if (options.documentIds && !options.documentIds.has(documentIds[row]!)) continue
      const similarity = dotAt(matrix, offset, query)
      if (similarity <= 0 || (top.length === k && similarity <= top[k - 1]!.similarity)) continue
      let i = top.length
      while (i > 0 && top[i - 1]!.similarity < similarity) i--
      top.splice(i, 0, { chunkId: ids[row]!, similarity })
      if (top.length > k) top.pop()
    }
    return top
  }

  /** How many of the user's chunks have a vector from this model. */
  async size(userId: string): Promise<number> {
    return (await this.#vectors(userId)).ids.length
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
    const cached = this.#cache.get(userId)
    // Rows only ever gain an embedding (a later embedded_at, another seq) or disappear, so count,
    // sum of seq and latest embedded_at change whenever the set changes. Covered by an index.
    const stats = await this.db
      .selectFrom('memory_chunks')
      .where('user_id', '=', userId)
      .where('embedding_model', '=', this.model)
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('seq').as('seqs'), eb.fn.max('embedded_at').as('latest')])
      .executeTakeFirst()
    const fingerprint = `${stats?.n ?? 0}:${stats?.seqs ?? 0}:${stats?.latest ?? ''}`
    if (cached && cached.fingerprint === fingerprint) return cached

    const rows: Array<{ id: string; documentId: string; vector: Float32Array }> = []
    const embedded = this.db
      .selectFrom('memory_chunks')
      .where('user_id', '=', userId)
      .where('embedding_model', '=', this.model)
      .where('embedding', 'is not', null)
    if (!cached || cached.ids.length === 0) {
      // Cold: one query for everything.
      for (const row of await embedded.select(['id', 'document_id', 'embedding']).execute()) {
        rows.push({ id: row.id, documentId: row.document_id, vector: decodeVector(row.embedding!) })
      }
    } else {
      // Warm: keep what is still there, fetch only the new rows.
      const known = new Map(cached.ids.map((id, row) => [id, row]))
      const missing: string[] = []
      for (const row of await embedded.select(['id', 'document_id']).execute()) {
        const at = known.get(row.id)
        if (at === undefined) missing.push(row.id)
        else rows.push({ id: row.id, documentId: row.document_id, vector: cached.matrix.subarray(at * cached.dims, (at + 1) * cached.dims) })
      }
      for (let i = 0; i < missing.length; i += FETCH_BATCH) {
        const loaded = await this.db
          .selectFrom('memory_chunks')
          .select(['id', 'document_id', 'embedding'])
          .where('id', 'in', missing.slice(i, i + FETCH_BATCH))
          .execute()
        for (const row of loaded) if (row.embedding) rows.push({ id: row.id, documentId: row.document_id, vector: decodeVector(row.embedding) })
      }
    }
    const vectors = pack(rows, fingerprint)
    this.#cache.set(userId, vectors)
    return vectors
  }
}

/** Dot product of `query` with the matrix row at `offset`; four accumulators let the CPU overlap work. */
function dotAt(matrix: Float32Array, offset: number, query: Float32Array): number {
  const n = query.length
  let a = 0
  let b = 0
  let c = 0
  let d = 0
  let j = 0
  for (; j + 3 < n; j += 4) {
    a += matrix[offset + j]! * query[j]!
    b += matrix[offset + j + 1]! * query[j + 1]!
    c += matrix[offset + j + 2]! * query[j + 2]!
    d += matrix[offset + j + 3]! * query[j + 3]!
  }
  for (; j < n; j++) a += matrix[offset + j]! * query[j]!
  return a + b + c + d
}

/** Packs vectors into one matrix; rows of another length than the first (another model) are dropped. */
function pack(rows: Array<{ id: string; documentId: string; vector: Float32Array }>, fingerprint: string): UserVectors {
  const dims = rows[0]?.vector.length ?? 0
  const kept = rows.filter((r) => r.vector.length === dims)
  const matrix = new Float32Array(kept.length * dims)
  kept.forEach((r, i) => matrix.set(r.vector, i * dims))
  return { ids: kept.map((r) => r.id), documentIds: kept.map((r) => r.documentId), dims, matrix, fingerprint }
}
