import { createLlmProvider } from '../agent/llm/create-provider'
import { builtinTools } from '../agent/tools/builtin/builtin-tools'
import type { Services } from '../gateway/services'
import { ChatRepository } from './chat/chat-repository'
import { ThreadService } from './chat/thread-service'
import type { ServiceContext } from './service-context'
import { UsageService } from './usage/usage-service'
import { createUsersServices } from './users/create-users-services'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer 503.
 * Also registers the `builtin` tools (`current_time`, `http_fetch`).
 * Services passed to `createGateway({ services })` replace these.
 */
export async function createDefaultServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  const store = ctx.store
  services.llm = await createLlmProvider(ctx.config.llm)
  ctx.tools.addProvider(builtinTools({ runtime: ctx.runtime, clock: ctx.clock }))
  if (store) {
    const usage = new UsageService(store.db, ctx.clock, ctx.config.limits.dailyBudgetUsd)
    services.usage = usage
    ctx.onDeleteUser((userId) => usage.deleteUser(userId))
    ctx.onDeleteUser(async (userId) => {
      await store.db.deleteFrom('events').where('user_id', '=', userId).execute()
    })
    const chat = new ChatRepository(store.db)
    services.threads = new ThreadService(chat, ctx.clock)
    ctx.onDeleteUser((userId) => chat.deleteUser(userId))
  }
  Object.assign(services, await createUsersServices(ctx))
  return services
}
