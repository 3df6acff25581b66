/**
 * `agent-gateway/store`: the database the default subsystems keep their state in (Kysely over
 * SQLite or PostgreSQL, migrated on open) and the event buses that carry events to every
 * instance's streams. The runtime adapters open the configured one for you; open one yourself to
 * share it or to run several gateways on one PostgreSQL.
 *
 * @example
 * ```ts
 * import { createGateway } from 'agent-gateway'
 * import { openStoreEventBus } from 'agent-gateway/store'
 * import { openPostgresStore } from 'agent-gateway/node'
 *
 * const store = await openPostgresStore(databaseUrl) // e.g. the DATABASE_URL your host reads
 * const gateway = await createGateway({ store, bus: await openStoreEventBus(store) })
 * ```
 * @module
 */
export type { Database, Db, Dialect, Notifier, NotifierHooks, Store } from '../store/database'
export { openStore } from '../store/open-store'
export type { BusControl, EventBus } from '../ports/event-bus'
export { MemoryEventBus } from '../bus/memory-event-bus'
export { StoreEventBus } from '../bus/store-event-bus'
export { PostgresEventBus, type PostgresEventBusOptions } from '../bus/postgres-event-bus'
export { openStoreEventBus } from '../bus/open-event-bus'
