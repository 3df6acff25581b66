import { getLogger } from '@logtape/logtape'
import { conflict, GatewayError, notFound } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
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
import type { Db, Dialect } from '../../store/database'
import { deleteDocuments, syncChunks } from './chunk-sync'
import type { EmbeddingProvider } from './embedding-provider'
import { EmbeddingQueue, embeddedCount } from './embedding-queue'
import { HybridSearch } from './hybrid-search'
import { buildListing, buildTree, encodeCursor, startAfterCursor } from './memory-listing'
import { assertPathFree, assertQuota, documentIdsUnder, documentsUnder, lockDocument, writeTransaction } from './memory-documents'
import { folderPrefix, normalizeMemoryPath } from './memory-path'
import { DEFAULT_MEMORY_LIMITS, type MemoryLimits } from './memory-limits'
import type { MemoryChange, MemoryPort } from './port'

const log = getLogger(['gateway', 'memory'])

export interface MemoryServiceOptions {
  db: Db
  dialect: Dialect
  clock: Clock
  /** Embeddings for vector search; without it search is full-text only. */
  embeddings?: EmbeddingProvider | undefined
  limits?: Partial<MemoryLimits>
  /** Told after every committed change (publishes `memory_changed`). */
  onChange?: (userId: string, change: MemoryChange) => void | Promise<void>
  /** Told the tokens each embedding call cost (the usage ledger). */
  onUsage?: (userId: string, tokens: number) => void | Promise<void>
}

const encoder = new TextEncoder()
const utf8Bytes = (text: string): number => encoder.encode(text).length

/** The default memory service over the gateway's database. */
export class MemoryService implements MemoryPort {
  readonly #db: Db
  readonly #dialect: Dialect
  readonly #clock: Clock
  readonly #limits: MemoryLimits
  readonly #queue: EmbeddingQueue | undefined
  readonly #search: HybridSearch

  constructor(private readonly options: MemoryServiceOptions) {
    this.#db = options.db
    this.#dialect = options.dialect
    this.#clock = options.clock
    this.#limits = { ...DEFAULT_MEMORY_LIMITS, ...options.limits }
    const onUsage = options.onUsage
    this.#queue = options.embeddings
      ? new EmbeddingQueue(options.db, options.embeddings, options.clock, {
          onUsage,
          onError: (error) => log.warn('memory: embedding batch failed, retrying later: {error}', { error: String(error) }),
        })
      : undefined
    this.#search = new HybridSearch({ db: options.db, dialect: options.dialect, embeddings: options.embeddings, onUsage })
    // Chunks written while the gateway was down, or before the model was configured or changed.
    this.#queue?.kick()
  }

  /** Resolves when the background embedder has nothing in flight (tests, benchmarks). */
  async embeddingsIdle(): Promise<void> {
    await this.#queue?.idle()
  }

  async close(): Promise<void> {
    await this.#queue?.close()
  }

  async tree(userId: string, options: { path?: string; depth?: number | undefined } = {}): Promise<MemoryTreeResponse> {
    const folder = normalizeMemoryPath(options.path ?? '', { allowRoot: true })
    const docs = await documentsUnder(this.#db, userId, folder)
    return { entries: buildTree(docs, folderPrefix(folder), options.depth) }
  }

  async list(userId: string, options: { path?: string; limit?: number; cursor?: string | undefined } = {}): Promise<MemoryListResponse> {
    const folder = normalizeMemoryPath(options.path ?? '', { allowRoot: true })
    const docs = await documentsUnder(this.#db, userId, folder)
    const entries = buildListing(docs, folderPrefix(folder))
    const limit = options.limit ?? 200
    const start = startAfterCursor(entries, options.cursor)
    const page = entries.slice(start, start + limit)
    const more = start + limit < entries.length
    return { path: folder, entries: page, total: entries.length, next_cursor: more && page.length > 0 ? encodeCursor(page.at(-1)!) : null }
  }

  async read(userId: string, rawPath: string): Promise<MemoryDocument> {
    const path = normalizeMemoryPath(rawPath)
    const doc = await this.#db
      .selectFrom('memory_documents')
      .select(['id', 'path', 'content', 'size', 'created_at', 'updated_at'])
      .where('user_id', '=', userId)
      .where('path', '=', path)
      .executeTakeFirst()
    if (!doc) throw notFound('document', `No document at ${path}`)
    return { path: doc.path, content: doc.content, updated_at: doc.updated_at, document_id: doc.id, created_at: doc.created_at, size: doc.size }
  }

  async write(userId: string, request: MemoryWriteRequest): Promise<MemoryWriteResponse> {
    const path = normalizeMemoryPath(request.path)
    this.#checkSize(utf8Bytes(request.content))
    const result = await writeTransaction(this.#db, async (trx) => {
      const existing = await lockDocument(trx, this.#dialect, userId, path)
      const expected = request.expected_updated_at
      if (expected !== undefined && (expected === null ? existing !== undefined : existing?.updated_at !== expected)) {
        throw conflict('write_conflict', `${path} changed since you loaded it; reload it and apply your edit again`)
      }
      let content = request.content
      if (request.append && existing) {
        const separator = existing.content === '' || existing.content.endsWith('\n') || content === '' ? '' : '\n'
        content = existing.content + separator + content
      }
      const size = utf8Bytes(content)
      this.#checkSize(size)
      if (existing && existing.content === content) {
        return { path, status: 'written' as const, document_id: existing.id, created: false, changed: false, size, updated_at: existing.updated_at }
      }
      const now = isoNow(this.#clock)
      let id = existing?.id
      if (id) {
        await trx.updateTable('memory_documents').set({ content, size, updated_at: now }).where('id', '=', id).execute()
      } else {
        await assertPathFree(trx, userId, path)
        await assertQuota(trx, userId, 1, this.#limits.maxDocumentsPerUser)
        id = crypto.randomUUID()
        await trx.insertInto('memory_documents').values({ id, user_id: userId, path, content, size, created_at: now, updated_at: now }).execute()
      }
      await syncChunks(trx, { id, userId, content }, this.#limits.chunking)
      return { path, status: 'written' as const, document_id: id, created: !existing, changed: true, size, updated_at: now }
    })
    if (result.changed) {
      this.#queue?.kick()
      await this.#changed(userId, { action: 'written', path, kind: 'document' })
    }
    return result
  }

  async delete(userId: string, rawPath: string, options: { recursive?: boolean } = {}): Promise<MemoryDeleteResponse> {
    const path = normalizeMemoryPath(rawPath)
    const result = await writeTransaction(this.#db, async (trx) => {
      const doc = await lockDocument(trx, this.#dialect, userId, path)
      if (doc) {
        await deleteDocuments(trx, [doc.id])
        return { path, kind: 'document' as const, deleted: 1 }
      }
      const docs = await documentIdsUnder(trx, userId, path)
      if (docs.length === 0) throw notFound('path', `Nothing at ${path}`)
      if (!options.recursive) {
        throw conflict('folder_not_empty', `${path} is a folder with ${docs.length} document(s); pass recursive=true to delete them all`)
      }
      await deleteDocuments(
        trx,
        docs.map((d) => d.id),
      )
      return { path, kind: 'folder' as const, deleted: docs.length }
    })
    await this.#changed(userId, { action: 'deleted', path, kind: result.kind })
    return result
  }

  async move(userId: string, request: MemoryMoveRequest): Promise<MemoryMoveResponse> {
    const from = normalizeMemoryPath(request.from)
    const to = normalizeMemoryPath(request.to)
    if (from === to) throw new GatewayError(400, 'invalid_move', 'Source and destination are the same')
    if (to.startsWith(`${from}/`)) throw new GatewayError(400, 'invalid_move', 'A folder cannot be moved into itself')
    const result = await writeTransaction(this.#db, async (trx) => {
      const now = isoNow(this.#clock)
      const doc = await lockDocument(trx, this.#dialect, userId, from)
      if (doc) {
        const target = await lockDocument(trx, this.#dialect, userId, to)
        if (target && !request.overwrite) throw conflict('path_exists', `${to} already exists; pass overwrite=true to replace it`)
        if (target) await deleteDocuments(trx, [target.id])
        else await assertPathFree(trx, userId, to)
        await trx.updateTable('memory_documents').set({ path: to, updated_at: now }).where('id', '=', doc.id).execute()
        return { from, to, kind: 'document' as const, moved: 1 }
      }
      const docs = await documentIdsUnder(trx, userId, from)
      if (docs.length === 0) throw notFound('path', `Nothing at ${from}`)
      if (await lockDocument(trx, this.#dialect, userId, to)) throw conflict('path_exists', `${to} is a document; folders are never merged into one`)
      await assertPathFree(trx, userId, to)
      for (const d of docs) {
        const next = normalizeMemoryPath(to + d.path.slice(from.length))
        await trx.updateTable('memory_documents').set({ path: next, updated_at: now }).where('id', '=', d.id).execute()
      }
      return { from, to, kind: 'folder' as const, moved: docs.length }
    })
    await this.#changed(userId, { action: 'moved', path: from, to, kind: result.kind })
    return result
  }

  async search(userId: string, request: { query: string; limit?: number; path?: string | undefined }): Promise<MemorySearchResponse> {
    const folder = request.path === undefined ? '' : normalizeMemoryPath(request.path, { allowRoot: true })
    return this.#search.search(userId, { query: request.query, limit: request.limit ?? 10, prefix: folder ? folderPrefix(folder) : undefined })
  }

  async status(userId: string): Promise<MemoryStatusResponse> {
    const docs = await this.#db
      .selectFrom('memory_documents')
      .where('user_id', '=', userId)
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('bytes')])
      .executeTakeFirst()
    const chunks = await this.#db
      .selectFrom('memory_chunks')
      .where('user_id', '=', userId)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst()
    const queue = this.#queue
    return {
      documents: Number(docs?.n ?? 0),
      bytes: Number(docs?.bytes ?? 0),
      chunks: Number(chunks?.n ?? 0),
      embeddings: queue ? { model: queue.model, embedded: await embeddedCount(this.#db, userId, queue.model), pending: await queue.pending(userId) } : null,
    }
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('memory_chunks').where('user_id', '=', userId).execute()
      await trx.deleteFrom('memory_documents').where('user_id', '=', userId).execute()
    })
    this.#search.forget(userId)
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#limits.maxDocumentBytes) {
      throw new GatewayError(413, 'document_too_large', `A memory document may hold at most ${this.#limits.maxDocumentBytes} bytes`)
    }
  }

  async #changed(userId: string, change: MemoryChange): Promise<void> {
    try {
      await this.options.onChange?.(userId, change)
    } catch (error) {
      log.warn('memory: change notification failed: {error}', { error: String(error) })
    }
  }
}

