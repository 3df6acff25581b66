import type { Generated } from 'kysely'

/** Every AppEvent published, kept for `Last-Event-ID` replay (pruned after the retention period). */
export interface EventsTable {
  /** Monotonic: SQLite AUTOINCREMENT / PostgreSQL identity. */
  id: Generated<number>
  /** null = broadcast to every user. */
  user_id: string | null
  type: string
  /** The event's JSON, including its `type`. */
  payload: string
  created_at: string
}

export interface CoreTables {
  events: EventsTable
}
