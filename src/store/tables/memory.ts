import type { Generated } from 'kysely'

/** A user's markdown document in the memory workspace. Folders are implicit (path prefixes). */
export interface MemoryDocumentsTable {
  id: string
  user_id: string
  /** Normalised relative path, unique per user; compared bytewise on both dialects. */
  path: string
  content: string
  /** UTF-8 bytes of `content`. */
  size: number
  created_at: string
  updated_at: string
}

/**
 * A searchable slice of a document. A row's `heading` and `content` never change, so an
 * embedding stored on it can never go stale: a changed chunk is a new row.
 * SQLite mirrors `heading`/`content` into the FTS5 table `memory_chunks_fts` (by triggers, keyed
 * by `seq`); PostgreSQL keeps a generated `tsv tsvector` column with a GIN index.
 */
export interface MemoryChunksTable {
  /** Integer key: FTS5 refers to rows by rowid, which only an INTEGER PRIMARY KEY keeps stable. */
  seq: Generated<number>
  id: string
  document_id: string
  user_id: string
  ordinal: number
  heading: string
  content: string
  /** `[start_offset, end_offset)` of the chunk in its document's content. */
  start_offset: number
  end_offset: number
  /** L2-normalised float32 little-endian vector, or null until embedded. */
  embedding: Uint8Array | null
  /**
   * The model that produced `embedding`; set with a null embedding when the provider refused
   * this text (so it is not retried forever).
   */
  embedding_model: string | null
  embedded_at: string | null
}

export interface MemoryTables {
  memory_documents: MemoryDocumentsTable
  memory_chunks: MemoryChunksTable
}
