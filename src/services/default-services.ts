import type { Services } from '../gateway/services'
import { appEvent } from '../protocol/events'
import { OpenAIEmbeddingProvider } from './memory/embedding-provider'
import { DefaultMemoryService } from './memory/default-memory-service'
import { memoryToolProvider } from './memory/memory-tools'
import type { ServiceContext } from './service-context'
import { createSkillsService } from './skills/create-skills-service'
import { createExtensionsService } from './extensions/create-extensions-service'
import { UsageService } from './usage/usage-service'
import { createUsersServices } from './users/create-users-services'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer 503.
 * Services passed to `createGateway({ services })` replace these.
 */
export async function createDefaultServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  const store = ctx.store
  if (store) {
    const usage = new UsageService(store.db, ctx.clock)
    services.usage = usage
    ctx.onDeleteUser((userId) => usage.deleteUser(userId))
    ctx.onDeleteUser(async (userId) => {
      await store.db.deleteFrom('events').where('user_id', '=', userId).execute()
    })

    const embeddings = OpenAIEmbeddingProvider.fromConfig(ctx.config.llm)
    const memory = new DefaultMemoryService({
      db: store.db,
      dialect: store.dialect,
      clock: ctx.clock,
      embeddings,
      onChange: (userId, change) => ctx.hub.publish(userId, appEvent('memory_changed', change)).then(() => undefined),
      onUsage: (userId, tokens) =>
        usage.record({ userId, model: embeddings?.model ?? 'embedding', inputTokens: tokens, outputTokens: 0, costUsd: 0, purpose: 'embedding' }),
    })
    services.memory = memory
    ctx.tools.addProvider(memoryToolProvider(memory))
    ctx.onDeleteUser((userId) => memory.deleteUser(userId))
    ctx.onClose(() => memory.close())
  }
  Object.assign(services, await createUsersServices(ctx))
  services.skills = createSkillsService(ctx)
  const extensions = await createExtensionsService(ctx)
  if (extensions) Object.assign(services, { extensions, extensionAuth: extensions })
  return services
}
