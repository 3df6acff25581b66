import type { EventOf } from '../../protocol/events'
import type {
  MemoryDeleteResponse,
  MemoryDocument,
  MemoryListResponse,
  MemoryMoveRequest,
  MemoryMoveResponse,
  MemorySearchResponse,
  MemoryStatusResponse,
  MemoryTreeResponse,
  MemoryWriteRequest,
  MemoryWriteResponse,
} from '../../protocol/memory'

/** A change to a user's memory, for live updates: the `memory_changed` event's fields. */
export type MemoryChange = Omit<EventOf<'memory_changed'>, 'type'>

/**
 * The memory workspace: a per-user tree of markdown documents with hybrid search. Every
 * method is scoped to `userId`; another user's paths do not exist for it. Bad paths throw 400
 * `invalid_path`; missing ones 404. Default: `MemoryService` (needs a database).
 */
export interface MemoryPort {
  tree(userId: string, options?: { path?: string; depth?: number | undefined }): Promise<MemoryTreeResponse>
  list(userId: string, options?: { path?: string; limit?: number; cursor?: string | undefined }): Promise<MemoryListResponse>
  read(userId: string, path: string): Promise<MemoryDocument>
  write(userId: string, request: MemoryWriteRequest): Promise<MemoryWriteResponse>
  delete(userId: string, path: string, options?: { recursive?: boolean }): Promise<MemoryDeleteResponse>
  move(userId: string, request: MemoryMoveRequest): Promise<MemoryMoveResponse>
  search(userId: string, request: { query: string; limit?: number; path?: string | undefined }): Promise<MemorySearchResponse>
  status(userId: string): Promise<MemoryStatusResponse>
}
