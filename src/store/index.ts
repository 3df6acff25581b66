export type { Database, Db, Dialect, Notifier, NotifierHooks, Store } from './database'
export { openStore } from './open-store'
