import { createGateway } from './create-gateway'
import { openSqliteStore, openStore } from './open-store'
import { createRuntime } from './runtime'
import { type RunningServer, serveGateway } from './serve-gateway'

/** @deprecated The same names on every runtime: `createGateway` from `agent-gateway/deno`. */
export const createDenoGateway = createGateway
/** @deprecated The same names on every runtime: `serveGateway` from `agent-gateway/deno`. */
export const serveDenoGateway = serveGateway
/** @deprecated The same names on every runtime: `createRuntime` from `agent-gateway/deno`. */
export const createDenoRuntime = createRuntime
/** @deprecated The same names on every runtime: `openStore` from `agent-gateway/deno`. */
export const openDenoStore = openStore
/** @deprecated The same names on every runtime: `openSqliteStore` from `agent-gateway/deno`. */
export const openDenoSqliteStore = openSqliteStore
/** @deprecated The same names on every runtime: `RunningServer` from `agent-gateway/deno`. */
export type DenoServedGateway = RunningServer
