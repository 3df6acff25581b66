import { type ChunkOptions, DEFAULT_CHUNK_OPTIONS } from './chunker'

export interface MemoryLimits {
  /** UTF-8 bytes of one document (after an append). */
  maxDocumentBytes: number
  maxDocumentsPerUser: number
  chunking: ChunkOptions
}

export const DEFAULT_MEMORY_LIMITS: MemoryLimits = {
  maxDocumentBytes: 1024 * 1024,
  maxDocumentsPerUser: 10_000,
  chunking: DEFAULT_CHUNK_OPTIONS,
}
