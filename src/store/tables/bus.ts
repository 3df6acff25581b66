import type { Generated } from 'kysely'

/**
 * Control messages between gateway instances on PostgreSQL (`BusControl`: disconnect,
 * invalidate_auth, custom). Kept so an instance whose listening connection dropped can catch up
 * on what it missed, and so messages too large for NOTIFY travel by id. Pruned like `events`.
 * Created on SQLite too (one schema for both), where a single process needs no such log.
 */
export interface BusControlsTable {
  /** Monotonic, taken in commit order (see `gateway_publish_control`). */
  id: Generated<number>
  /** The publishing instance, which has already applied the message itself. */
  origin: string
  /** The `BusControl` as JSON. */
  payload: string
  created_at: string
}

/** One allowed start of model work, by budget key (`StoreRateLimiter`); only used on PostgreSQL. */
export interface RateHitsTable {
  id: Generated<number>
  key: string
  /** When the start was allowed (ISO). */
  at: string
}

/** Marks of the event log that outlive its rows (`compacted_through`: see `compactEventLog`). */
export interface EventLogMarksTable {
  name: string
  value: number
}

export interface BusTables {
  event_log_marks: EventLogMarksTable
  bus_controls: BusControlsTable
  rate_hits: RateHitsTable
}
