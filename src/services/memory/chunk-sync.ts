import type { Transaction } from 'kysely'
import type { Database } from '../../store/database'
import { type ChunkOptions, chunkMarkdown } from './chunker'

const INSERT_BATCH = 200
const DELETE_BATCH = 500

/**
 * Brings a document's chunks in line with its new content, inside the caller's transaction.
 * Chunks whose heading and text are unchanged keep their row (and id, and embedding: an append
 * re-embeds only what is new); changed ones are deleted and inserted as new rows, which the
 * embedding queue then picks up. Returns how many rows were inserted.
 */
export async function syncChunks(
  trx: Transaction<Database>,
  document: { id: string; userId: string; content: string },
  options: ChunkOptions,
): Promise<number> {
  const chunks = chunkMarkdown(document.content, options)
  const old = await trx
    .selectFrom('memory_chunks')
    .select(['id', 'heading', 'content', 'ordinal', 'start_offset', 'end_offset'])
    .where('document_id', '=', document.id)
    .execute()
  const reusable = new Map<string, typeof old>()
  for (const row of old) {
    const key = `${row.heading}\u0000${row.content}`
    const list = reusable.get(key)
    if (list) list.push(row)
    else reusable.set(key, [row])
  }
  const kept = new Set<string>()
  const fresh: Array<(typeof chunks)[number]> = []
  for (const chunk of chunks) {
    const match = reusable.get(`${chunk.heading}\u0000${chunk.content}`)?.shift()
    if (!match) {
      fresh.push(chunk)
      continue
    }
    kept.add(match.id)
    if (match.ordinal !== chunk.ordinal || match.start_offset !== chunk.start || match.end_offset !== chunk.end) {
      await trx
        .updateTable('memory_chunks')
        .set({ ordinal: chunk.ordinal, start_offset: chunk.start, end_offset: chunk.end })
        .where('id', '=', match.id)
        .execute()
    }
  }
  const stale = old.filter((row) => !kept.has(row.id)).map((row) => row.id)
  for (let i = 0; i < stale.length; i += DELETE_BATCH) {
    await trx.deleteFrom('memory_chunks').where('id', 'in', stale.slice(i, i + DELETE_BATCH)).execute()
  }
  for (let i = 0; i < fresh.length; i += INSERT_BATCH) {
    await trx
      .insertInto('memory_chunks')
      .values(
        fresh.slice(i, i + INSERT_BATCH).map((chunk) => ({
          id: crypto.randomUUID(),
          document_id: document.id,
          user_id: document.userId,
          ordinal: chunk.ordinal,
          heading: chunk.heading,
          content: chunk.content,
          start_offset: chunk.start,
          end_offset: chunk.end,
          embedding: null,
          embedding_model: null,
          embedded_at: null,
        })),
      )
      .execute()
  }
  return fresh.length
}

/** Deletes documents (by id) and their chunks, inside the caller's transaction. */
export async function deleteDocuments(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += DELETE_BATCH) {
    const batch = ids.slice(i, i + DELETE_BATCH)
    await trx.deleteFrom('memory_chunks').where('document_id', 'in', batch).execute()
    await trx.deleteFrom('memory_documents').where('id', 'in', batch).execute()
  }
}
