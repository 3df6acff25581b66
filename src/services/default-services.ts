import { createLlmProvider } from '../agent/llm/create-provider'
import { LoopJobAgent } from '../agent/job-agent'
import { builtinTools } from '../agent/tools/builtin/builtin-tools'
import type { Services } from '../gateway/services'
import { appEvent } from '../protocol/events'
import { OpenAIEmbeddingProvider } from './memory/embedding-provider'
import { DefaultMemoryService } from './memory/default-memory-service'
import { memoryToolProvider } from './memory/memory-tools'
import { ChatRepository } from './chat/chat-repository'
import { ThreadService } from './chat/thread-service'
import { createJobsService } from './jobs/create-jobs-service'
import { createRoutinesService } from './routines/create-routines-service'
import type { ServiceContext } from './service-context'
import { createSkillsService } from './skills/create-skills-service'
import { createExtensionsService } from './extensions/create-extensions-service'
import { UsageService } from './usage/usage-service'
import { createUsersServices } from './users/create-users-services'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer 503.
 * Also registers the `builtin` tools (`current_time`, `http_fetch`) and the `skills` context contributor.
 * Services passed to `createGateway({ services })` replace these.
 */
export async function createDefaultServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  const store = ctx.store
  services.llm = await createLlmProvider(ctx.config.llm, { streamRequest: ctx.runtime.streamRequest })
  ctx.tools.addProvider(builtinTools({ runtime: ctx.runtime, clock: ctx.clock }))
  if (store) {
    const usage = new UsageService(store.db, ctx.clock, ctx.config.limits.dailyBudgetUsd)
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
      limits: { maxDocumentsPerUser: ctx.config.limits.quotas.memoryDocumentsPerUser },
      onChange: (userId, change) => ctx.hub.publish(userId, appEvent('memory_changed', change)).then(() => undefined),
      onUsage: (userId, tokens) =>
        usage.record({ userId, model: embeddings?.model ?? 'embedding', inputTokens: tokens, outputTokens: 0, costUsd: 0, purpose: 'embedding' }),
    })
    services.memory = memory
    ctx.tools.addProvider(memoryToolProvider(memory))
    ctx.onDeleteUser((userId) => memory.deleteUser(userId))
    ctx.onClose(() => memory.close())
    const chat = new ChatRepository(store.db)
    services.threads = new ThreadService(chat, ctx.clock, store.writes, ctx.config.limits.quotas)
    ctx.onDeleteUser((userId) => chat.deleteUser(userId))
    const jobs = await createJobsService(ctx)
    services.jobs = jobs
    // `agent` jobs run the agent loop on whichever provider and ledger are finally wired.
    jobs?.attachAgent(
      new LoopJobAgent({
        llm: () => ctx.services?.llm,
        usage: () => ctx.services?.usage,
        maxSteps: ctx.config.jobs.agentMaxSteps,
        maxTokens: ctx.config.llm.maxTokens,
        historyChars: ctx.config.agent.historyChars,
      }),
    )
    services.routines = await createRoutinesService(ctx)
  }
  Object.assign(services, await createUsersServices(ctx))
  services.skills = createSkillsService(ctx)
  // Whichever skills port is finally wired (the default or an embedder's) shapes each prompt.
  ctx.contextContributors.add({ name: 'skills', contribute: ({ userId, message }) => ctx.services?.skills?.contextFor(userId, message) })
  const extensions = await createExtensionsService(ctx)
  if (extensions) Object.assign(services, { extensions, extensionAuth: extensions })
  return services
}
