import { createGateway } from './create-gateway'
import { openSqliteStore, openStore } from './open-store'
import { createRuntime } from './runtime'
import { type RunningServer, serveGateway } from './serve-gateway'

/** @deprecated The same names on every runtime: `createGateway` from `agent-gateway/bun`. */
export const createBunGateway = createGateway
/** @deprecated The same names on every runtime: `serveGateway` from `agent-gateway/bun`. */
export const serveBunGateway = serveGateway
/** @deprecated The same names on every runtime: `createRuntime` from `agent-gateway/bun`. */
export const createBunRuntime = createRuntime
/** @deprecated The same names on every runtime: `openStore` from `agent-gateway/bun`. */
export const openBunStore = openStore
/** @deprecated The same names on every runtime: `openSqliteStore` from `agent-gateway/bun`. */
export const openBunSqliteStore = openSqliteStore
/** @deprecated The same names on every runtime: `RunningServer` from `agent-gateway/bun`. */
export type BunServedGateway = RunningServer
