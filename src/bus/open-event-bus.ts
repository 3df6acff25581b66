import type { EventBus } from '../ports/event-bus'
import type { Store } from '../store/database'
import { PostgresEventBus } from './postgres-event-bus'
import { StoreEventBus } from './store-event-bus'

/**
 * The persistent bus that fits the store: across instances through LISTEN/NOTIFY on PostgreSQL
 * with a notifier, else one process's bus over the events table (SQLite, or PostgreSQL without
 * a notifier).
 *
 * @example
 * ```ts
 * const bus = await openStoreEventBus(store, { retentionMs: 24 * 3600_000 })
 * const gateway = await createGateway({ store, bus })
 * ```
 */
export function openStoreEventBus(
  store: Store,
  options: { replayPerUser?: number; retentionMs?: number; compactAfterMs?: number; now?: () => number } = {},
): Promise<EventBus> {
  return store.dialect === 'postgres' && store.notifier ? PostgresEventBus.open(store, options) : StoreEventBus.open(store, options)
}
