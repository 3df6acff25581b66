import { z } from 'zod'

/**
 * Wire shapes of the memory workspace (`/api/memory/*`). Field names follow the original
 * gateway's contract (contract.md §7), so its clients work unchanged; the fields it lacked are
 * ones they can ignore (filters, sizes, pages, ids, concurrency checks). Paths are relative, `/`-separated,
 * NFC-normalised (see `normalizeMemoryPath`); folders exist implicitly, as ancestors of documents.
 */

const Timestamp = z.string().describe('UTC ISO-8601 timestamp')

export const MemoryTreeQuery = z.object({
  /** Only the subtree under this folder (default: everything). */
  path: z.string().max(4096).default(''),
  /** Levels below `path` to include (default: all). */
  depth: z.coerce.number().int().min(1).max(64).optional(),
})

export const MemoryTreeEntry = z.object({
  path: z.string(),
  is_dir: z.boolean(),
  /** Documents only: UTF-8 bytes. */
  size: z.number().int().optional(),
  /** Documents only. */
  updated_at: Timestamp.optional(),
})
export type MemoryTreeEntry = z.infer<typeof MemoryTreeEntry>

export const MemoryTreeResponse = z.object({ entries: z.array(MemoryTreeEntry) })
export type MemoryTreeResponse = z.infer<typeof MemoryTreeResponse>

export const MemoryListQuery = z.object({
  path: z.string().max(4096).default(''),
  /** Page size (folders first, then documents, each by name). */
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  /** The `next_cursor` of the previous page. */
  cursor: z.string().max(4096).optional(),
})

export const MemoryListEntry = z.object({
  /** The last path segment. */
  name: z.string(),
  path: z.string(),
  is_dir: z.boolean(),
  /** A document's last change; for a folder, the latest change of anything under it. */
  updated_at: Timestamp.nullable(),
  /** Documents only: UTF-8 bytes. */
  size: z.number().int().optional(),
})
export type MemoryListEntry = z.infer<typeof MemoryListEntry>

export const MemoryListResponse = z.object({
  path: z.string(),
  entries: z.array(MemoryListEntry),
  /** Entries in the folder, across pages. */
  total: z.number().int(),
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: z.string().nullable(),
})
export type MemoryListResponse = z.infer<typeof MemoryListResponse>

export const MemoryPathQuery = z.object({ path: z.string().max(4096) })

export const MemoryDocument = z.object({
  path: z.string(),
  content: z.string(),
  updated_at: Timestamp,
  /** Stable across moves, unlike the path. */
  document_id: z.uuid(),
  created_at: Timestamp,
  size: z.number().int(),
})
export type MemoryDocument = z.infer<typeof MemoryDocument>

export const MemoryWriteRequest = z.object({
  path: z.string().max(4096),
  content: z.string(),
  /** Add to the end of the document (on a new line), creating it when missing. */
  append: z.boolean().default(false),
  /**
   * Optimistic concurrency: the `updated_at` the editor started from (409 `write_conflict`
   * when the document changed since), or null to require that the document does not exist yet.
   */
  expected_updated_at: Timestamp.nullable().optional(),
})
export type MemoryWriteRequest = z.input<typeof MemoryWriteRequest>

export const MemoryWriteResponse = z.object({
  path: z.string(),
  status: z.literal('written'),
  /** Stable across moves, unlike the path. */
  document_id: z.uuid(),
  created: z.boolean(),
  /** False when the content was already exactly this (nothing re-indexed). */
  changed: z.boolean(),
  size: z.number().int(),
  updated_at: Timestamp,
})
export type MemoryWriteResponse = z.infer<typeof MemoryWriteResponse>

export const MemoryDeleteQuery = z.object({
  path: z.string().max(4096),
  /** Required (`true`) to delete a folder and every document under it. */
  recursive: z.enum(['true', 'false']).default('false'),
})

export const MemoryDeleteResponse = z.object({
  path: z.string(),
  kind: z.enum(['document', 'folder']),
  /** Documents deleted. */
  deleted: z.number().int(),
})
export type MemoryDeleteResponse = z.infer<typeof MemoryDeleteResponse>

export const MemoryMoveRequest = z.object({
  from: z.string().max(4096),
  to: z.string().max(4096),
  /** Replace a document already at `to` (documents only; folders never merge). */
  overwrite: z.boolean().default(false),
})
export type MemoryMoveRequest = z.input<typeof MemoryMoveRequest>

export const MemoryMoveResponse = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(['document', 'folder']),
  /** Documents moved. */
  moved: z.number().int(),
})
export type MemoryMoveResponse = z.infer<typeof MemoryMoveResponse>

export const MEMORY_SEARCH_MAX_QUERY = 4000
export const MEMORY_SEARCH_MAX_LIMIT = 100

export const MemorySearchRequest = z.object({
  query: z.string().min(1).max(MEMORY_SEARCH_MAX_QUERY),
  limit: z.number().int().min(1).max(MEMORY_SEARCH_MAX_LIMIT).default(10),
  /** Only documents under this folder. */
  path: z.string().max(4096).optional(),
})
export type MemorySearchRequest = z.input<typeof MemorySearchRequest>

/** `[start, end)` of a matched word in `snippet`, in UTF-16 code units (JavaScript string indices). */
export const MemoryHighlight = z.object({ start: z.number().int(), end: z.number().int() })
export type MemoryHighlight = z.infer<typeof MemoryHighlight>

export const MemorySearchResult = z.object({
  /** The document's real path (the original put the document UUID here). */
  path: z.string(),
  document_id: z.uuid(),
  chunk_id: z.uuid(),
  /** The whole chunk, as text. */
  content: z.string(),
  /** Headings the chunk sits under, `A > B`. */
  heading: z.string(),
  /** Plain text around the best match; render as text, mark `highlights`, never as HTML. */
  snippet: z.string(),
  highlights: z.array(MemoryHighlight),
  /** Reciprocal rank fusion of both rankings, normalised so the best result is 1.0. */
  score: z.number(),
  /** 1-based rank in the full-text ranking, null when the chunk did not match the words. */
  fts_rank: z.number().int().nullable(),
  /** 1-based rank by embedding similarity, null when not among the nearest (or no embeddings). */
  vector_rank: z.number().int().nullable(),
})
export type MemorySearchResult = z.infer<typeof MemorySearchResult>

export const MemorySearchResponse = z.object({
  results: z.array(MemorySearchResult),
  /** `hybrid` when embeddings took part, else `full_text`. */
  mode: z.enum(['hybrid', 'full_text']),
})
export type MemorySearchResponse = z.infer<typeof MemorySearchResponse>

export const MemoryStatusResponse = z.object({
  documents: z.number().int(),
  bytes: z.number().int(),
  chunks: z.number().int(),
  /** null when no embedding model is configured (search is full-text only). */
  embeddings: z.object({ model: z.string(), embedded: z.number().int(), pending: z.number().int() }).nullable(),
})
export type MemoryStatusResponse = z.infer<typeof MemoryStatusResponse>
