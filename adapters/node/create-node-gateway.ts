import { createGateway, type Gateway, type GatewayOptions } from '../../src/index'
import { GatewayConfig } from '../../src/config'
import { masterKeyFile } from './master-key'
import { openNodeStore } from './open-node-store'
import { createNodeRuntime } from './runtime'

/**
 * `createGateway()` with Node's capabilities filled in: `ws` upgrades, direct-to-socket SSE and WS
 * sinks, synchronous hashing, and the database the configuration names (SQLite in the data dir, or
 * PostgreSQL for `DATABASE_URL=postgres://...`). Pass `store: undefined` explicitly for none.
 * With a database and no `GATEWAY_MASTER_KEY`, the secrets key lives in `<dataDir>/master-key`.
 */
export async function createNodeGateway(options: GatewayOptions = {}): Promise<Gateway> {
  let config = GatewayConfig.parse(options.config ?? {})
  const store = 'store' in options ? options.store : await openNodeStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
  try {
    if (store && !config.masterKey) config = { ...config, masterKey: (await masterKeyFile(config.dataDir)).key }
    return await createGateway({ ...options, config, store, runtime: { ...createNodeRuntime(), ...options.runtime } })
  } catch (error) {
    await store?.close()
    throw error
  }
}
