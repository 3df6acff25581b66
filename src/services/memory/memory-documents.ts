import type { Transaction } from 'kysely'
import { conflict, GatewayError, notFound } from '../../lib/errors'
import { quotaExceeded } from '../../lib/quota'
import type { Database, Db, Dialect } from '../../store/database'
import { isUniqueViolation } from '../../store/unique-violation'
import { ancestors, folderPrefix, prefixUpperBound } from './memory-path'

// The queries over `memory_documents` that the memory service's operations share: what lies
// under a folder, the row to change (locked), and the checks a new path and a new document pass.

/** Summaries of the documents under a folder (`''` = all), in path order. */
export async function documentsUnder(db: Db, userId: string, folder: string) {
  let query = db.selectFrom('memory_documents').select(['path', 'size', 'updated_at']).where('user_id', '=', userId)
  if (folder !== '') {
    const prefix = folderPrefix(folder)
    query = query.where('path', '>=', prefix).where('path', '<', prefixUpperBound(prefix))
  }
  const docs = await query.orderBy('path').execute()
  if (folder !== '' && docs.length === 0) {
    const isDocument = await db.selectFrom('memory_documents').select('id').where('user_id', '=', userId).where('path', '=', folder).executeTakeFirst()
    if (isDocument) throw new GatewayError(400, 'not_a_folder', `${folder} is a document, not a folder`)
    throw notFound('folder', `No folder at ${folder}`)
  }
  return docs
}

export function documentIdsUnder(trx: Transaction<Database>, userId: string, folder: string) {
  const prefix = folderPrefix(folder)
  return trx
    .selectFrom('memory_documents')
    .select(['id', 'path'])
    .where('user_id', '=', userId)
    .where('path', '>=', prefix)
    .where('path', '<', prefixUpperBound(prefix))
    .execute()
}

/** The document at a path, row-locked on PostgreSQL (SQLite transactions are serialised). */
export function lockDocument(trx: Transaction<Database>, dialect: Dialect, userId: string, path: string) {
  const query = trx
    .selectFrom('memory_documents')
    .select(['id', 'content', 'updated_at'])
    .where('user_id', '=', userId)
    .where('path', '=', path)
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst()
}

/** A new document path must not sit inside a document, nor be a folder already. */
export async function assertPathFree(trx: Transaction<Database>, userId: string, path: string): Promise<void> {
  const parents = ancestors(path)
  if (parents.length > 0) {
    const blocking = await trx
      .selectFrom('memory_documents')
      .select('path')
      .where('user_id', '=', userId)
      .where('path', 'in', parents)
      .executeTakeFirst()
    if (blocking) throw conflict('path_conflict', `${blocking.path} is a document, so it cannot contain ${path}`)
  }
  const prefix = folderPrefix(path)
  const inside = await trx
    .selectFrom('memory_documents')
    .select('id')
    .where('user_id', '=', userId)
    .where('path', '>=', prefix)
    .where('path', '<', prefixUpperBound(prefix))
    .limit(1)
    .executeTakeFirst()
  if (inside) throw conflict('path_conflict', `${path} is a folder`)
}

export async function assertQuota(trx: Transaction<Database>, userId: string, adding: number, maxDocumentsPerUser: number): Promise<void> {
  const row = await trx
    .selectFrom('memory_documents')
    .where('user_id', '=', userId)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  if (Number(row?.n ?? 0) + adding > maxDocumentsPerUser) {
    throw quotaExceeded('memory documents', maxDocumentsPerUser, 'delete some first')
  }
}

/**
 * Runs a write transaction; a unique-path race between two gateway instances (PostgreSQL) is
 * retried, and then sees the other write's document.
 */
export async function writeTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn)
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error
    }
  }
}
