import { PreparedEvent } from '../ports/prepared-event'
import type { AppEvent } from '../protocol/events'
import type { Db } from '../store/database'

/**
 * The streaming deltas of an answer: once its turn is over, history holds what they said (the
 * message, its tool calls), so past `limits.eventCompactAfterMs` they are folded away and the
 * log keeps the events that mark what happened (responses, tool results, approvals, jobs).
 */
export const DELTA_EVENT_TYPES = ['stream_chunk', 'thinking', 'status'] as const

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
  if (afterId < (await compactedThrough(db))) return null
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

/**
 * Folds away the streaming deltas (`DELTA_EVENT_TYPES`) created before `cutoff` (ISO): database
 * size then grows with what was said, not with how many chunks it streamed in. The highest id
 * folded is recorded first, so a replay from before it gets `resync` (reload history) rather
 * than a log with holes. Safe on several instances at once: the mark only grows.
 */
export async function compactEventLog(db: Db, cutoff: string): Promise<void> {
  const top = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('type', 'in', DELTA_EVENT_TYPES)
    .where('created_at', '<', cutoff)
    // The newest event stays whatever it is: where ids continue after a restart (see pruneEventLog).
    .where('id', '<', db.selectFrom('events').select((eb) => eb.fn.max('id').as('newest')))
    .executeTakeFirst()
  if (top?.id == null) return
  const through = Number(top.id)
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('event_log_marks')
      .values({ name: COMPACTED_THROUGH, value: through })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: through }).where('event_log_marks.value', '<', through))
      .execute()
    await tx.deleteFrom('events').where('id', '<=', through).where('type', 'in', DELTA_EVENT_TYPES).execute()
  })
}

const COMPACTED_THROUGH = 'compacted_through'

async function compactedThrough(db: Db): Promise<number> {
  const row = await db.selectFrom('event_log_marks').select('value').where('name', '=', COMPACTED_THROUGH).executeTakeFirst()
  return Number(row?.value ?? 0)
}
