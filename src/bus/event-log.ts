import { PreparedEvent } from '../ports/prepared-event'
import type { AppEvent } from '../protocol/events'
import type { Db } from '../store/database'

/** More missed events than this and a client is better off reloading (it gets `resync`). */
const REPLAY_LIMIT = 5_000

/**
 * Replay from the `events` table: the events visible to `userId` (their own and broadcasts) with
 * id > `afterId`, oldest first, or `null` when some may be gone: pruned, or `afterId` is from
 * another database. Pruning removes the oldest events and always keeps the newest one, so the
 * log is complete after `afterId` exactly when its first id is at most `afterId + 1`.
 */
export async function replayFromLog(db: Db, userId: string, afterId: number): Promise<PreparedEvent[] | null> {
  const bounds = await db
    .selectFrom('events')
    .select((eb) => [eb.fn.min('id').as('min'), eb.fn.max('id').as('max')])
    .executeTakeFirst()
  if (bounds?.max == null) return afterId === 0 ? [] : null
  if (afterId > Number(bounds.max) || Number(bounds.min) > afterId + 1) return null
  const rows = await db
    .selectFrom('events')
    .select(['id', 'user_id', 'type', 'payload'])
    .where('id', '>', afterId)
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('user_id', 'is', null)]))
    .orderBy('id')
    .limit(REPLAY_LIMIT + 1)
    .execute()
  if (rows.length > REPLAY_LIMIT) return null
  return rows.map((r) => new PreparedEvent(Number(r.id), r.user_id, r.type as AppEvent['type'], r.payload))
}

/**
 * Deletes events created before `cutoff` (ISO), except the newest event, which stays as the
 * marker of where the log continues (see `replayFromLog`).
 */
export async function pruneEventLog(db: Db, cutoff: string): Promise<void> {
  await db
    .deleteFrom('events')
    .where('created_at', '<', cutoff)
    .where('id', '<', db.selectFrom('events').select((eb) => eb.fn.max('id').as('newest')))
    .execute()
}
