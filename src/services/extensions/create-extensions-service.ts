import type { SecretsPort } from '../secrets/port'
import type { ServiceContext } from '../service-context'
import { ExtensionCatalog } from './extension-catalog'
import { ExtensionCredentials } from './extension-credentials'
import { ExtensionRepository } from './extension-repository'
import { ExtensionRuntime } from './extension-runtime'
import { ExtensionsService } from './extensions-service'
import { OAuthFlows } from './oauth-flows'

/** The token endpoint of an OAuth sign-in must answer within this. */
const TOKEN_TIMEOUT_MS = 15_000

/**
 * The default extensions subsystem (needs the database): the registry (shipped manifests plus
 * `GATEWAY_EXTENSIONS_DIR`), per-user installs, live MCP connections whose tools join the agent's
 * registry as the `extensions` provider, and the chat/OAuth auth flows (`services.extensionAuth`).
 */
export async function createExtensionsService(ctx: ServiceContext, siblings: { secrets: () => SecretsPort | undefined }): Promise<ExtensionsService | undefined> {
  const { store, runtime, config } = ctx
  if (!store) return undefined
  const repo = new ExtensionRepository(store.db, ctx.clock)
  const catalog = await ExtensionCatalog.load(config.extensions.dir && runtime.openDirectory ? runtime.openDirectory(config.extensions.dir) : undefined)
  let service: ExtensionsService | undefined
  const live = new ExtensionRuntime({
    spawnStdio: runtime.spawnMcpStdio,
    connectTimeoutMs: config.extensions.connectTimeoutMs,
    toolTimeoutMs: config.extensions.toolTimeoutMs,
    onLost: (userId, name, reason) => void service?.lost(userId, name, reason),
  })
  // The token endpoint is the manifest's (shipped or admin-written), not user input.
  const fetcher: typeof fetch = (input, init) => fetch(input, init)
  service = new ExtensionsService({
    repo,
    catalog,
    runtime: live,
    flows: new OAuthFlows(repo, ctx.clock, fetcher, TOKEN_TIMEOUT_MS),
    credentials: new ExtensionCredentials({ secrets: siblings.secrets, fetcher, clock: ctx.clock, tokenTimeoutMs: TOKEN_TIMEOUT_MS }),
    publish: async (userId, event) => {
      await ctx.channel.sendStatus({ userId }, event)
    },
    workspaces: runtime.openDirectory?.(`${config.dataDir.replace(/\/+$/, '')}/extensions`),
    limits: { maxActivePerUser: config.extensions.maxActivePerUser },
  })
  const extensions = service
  ctx.tools.addProvider({ name: 'extensions', tools: (userId) => extensions.tools(userId) })
  ctx.onDeleteUser((userId) => extensions.deleteUser(userId))
  ctx.onClose(() => live.closeAll())
  return extensions
}
