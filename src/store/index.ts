export type { Database, Db, Dialect, Notifier, Store } from './database'
export { openStore } from './open-store'
export { StoreEventBus } from './store-event-bus'
