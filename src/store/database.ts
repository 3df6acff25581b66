import type { Kysely } from 'kysely'
import type { BusTables } from './tables/bus'
import type { CoreTables } from './tables/core'
import type { MemoryTables } from './tables/memory'
import type { JobTables } from './tables/jobs'
import type { UsageTables } from './tables/usage'
import type { ChatTables } from './tables/chat'
import type { UsersTables } from './tables/users'
import type { SessionTables } from './tables/sessions'
import type { ExtensionsTables } from './tables/extensions'
import type { RoutinesTables } from './tables/routines'

/**
 * The whole schema as Kysely sees it: one interface per domain in `tables/`, merged here.
 *
 * Portable conventions (both dialects run the same migrations and queries):
 * - ids are UUID text (`crypto.randomUUID()`), except the events table's monotonic integer;
 * - timestamps are fixed-width UTC ISO text (`2026-11-25T19:07:55.123Z`), so text order = time order;
 * - JSON is text, parsed through zod where it is read;
 * - booleans are declared `boolean` and round-trip as booleans (SQLite stores 0/1; `SqliteBooleanPlugin`).
 */
export interface Database extends CoreTables, UsageTables, UsersTables, BusTables, MemoryTables, ChatTables, JobTables, ExtensionsTables, RoutinesTables, SessionTables {}

export type Db = Kysely<Database>
export type Dialect = 'sqlite' | 'postgres'

/**
 * What a listener hears about its connection. Notifications sent while it is down are lost for
 * good, so a listener that keeps state catches up from a table on `onResume`.
 */
export interface NotifierHooks {
  /** The listening connection dropped; the notifier is reconnecting (with backoff). */
  onLost?(): void
  /** Listening again on a new connection; anything sent in between was missed. */
  onResume?(): void
}

/**
 * LISTEN/NOTIFY for PostgreSQL, supplied by the adapter (it owns the driver): one dedicated
 * connection that reconnects and listens again after it drops.
 */
export interface Notifier {
  listen(channel: string, onPayload: (payload: string) => void, hooks?: NotifierHooks): Promise<() => Promise<void>>
  notify(channel: string, payload: string): Promise<void>
  /**
   * Checks the listening connection now instead of at the next periodic check, when a listener
   * suspects it is dead (its own notification did not come back): a dead one is replaced.
   */
  check?(): void
}

/** An open, migrated database. Created by the adapter (which picks the driver); closed by the gateway. */
export interface Store {
  db: Db
  dialect: Dialect
  /** Present on PostgreSQL: carries events and control messages between gateway instances. */
  notifier?: Notifier | undefined
  /**
   * SQLite only (where this process is the database's one writer): statements run so far that
   * may have written. Unchanged between two calls means nothing in the database changed.
   */
  writes?: (() => number) | undefined
  close(): Promise<void>
}
