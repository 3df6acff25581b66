import { GatewayConfig } from '../../src/config/gateway-config'
import { createGateway } from '../../src/gateway/create-gateway'
import type { Gateway, GatewayOptions } from '../../src/gateway/gateway'
import type { RuntimeCapabilities } from '../../src/ports/runtime'
import type { Store } from '../../src/store/database'
import { masterKeyFile } from './master-key'

/**
 * `createGateway()` with a runtime's capabilities and the database the configuration names,
 * opened by `openStore` unless `options.store` is given (`store: undefined` for none). The
 * store is closed again if the gateway fails to start. With a database and no
 * `GATEWAY_MASTER_KEY`, the secrets key lives in `<dataDir>/master-key`.
 */
export async function createRuntimeGateway(
  options: GatewayOptions,
  runtime: RuntimeCapabilities | ((config: GatewayConfig) => RuntimeCapabilities),
  openStore: (config: GatewayConfig) => Promise<Store>,
): Promise<Gateway> {
  let config = GatewayConfig.parse(options.config ?? {})
  const store = 'store' in options ? options.store : await openStore(config)
  try {
    if (store && !config.masterKey) config = { ...config, masterKey: (await masterKeyFile(config.dataDir)).key }
    const base = typeof runtime === 'function' ? runtime(config) : runtime
    return await createGateway({ ...options, config, store, runtime: { ...base, ...options.runtime } })
  } catch (error) {
    await store?.close()
    throw error
  }
}
