import { LoopJobAgent } from '../agent/job-agent'
import { createLlmProvider } from '../llm/create-provider'
import { createChatService } from '../services/chat/create-chat-service'
import { createExtensionsService } from '../services/extensions/create-extensions-service'
import { createJobsService } from '../services/jobs/create-jobs-service'
import { createLogsService } from '../services/logs/create-logs-service'
import { createMemoryService } from '../services/memory/create-memory-service'
import { memoryToolProvider } from '../services/memory/memory-tools'
import { createPairingService } from '../services/pairing/create-pairing-service'
import { createRoutinesService } from '../services/routines/create-routines-service'
import { routineToolProvider } from '../services/routines/routine-tools'
import { createSecretsService } from '../services/secrets/create-secrets-service'
import type { ServiceContext } from '../services/service-context'
import type { Services } from '../services/services'
import { createSettingsService } from '../services/settings/create-settings-service'
import { createSkillsService } from '../services/skills/create-skills-service'
import { createUsageService } from '../services/usage/create-usage-service'
import { createUsersService } from '../services/users/create-users-service'
import { createUploadService } from '../services/uploads/create-upload-service'
import { builtinTools } from '../tools/builtin/builtin-tools'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer
 * 503. `wired` is the gateway's services as finally wired (these defaults, then what
 * `createGateway({ services })` replaces): siblings are read from it at call time, so a default
 * uses an embedder's replacement. Also registers the agent's tools and the events eraser.
 */
export async function createDefaultServices(ctx: ServiceContext, wired: Services): Promise<Partial<Services>> {
  const out: Partial<Services> = {}
  const put = <K extends keyof Services>(name: K, service: Services[K]): void => {
    if (service !== undefined) out[name] = service
  }
  put('llm', await createLlmProvider(ctx.config.llm, { streamRequest: ctx.runtime.streamRequest }))
  put('usage', createUsageService(ctx))
  put('memory', createMemoryService(ctx, { usage: () => wired.usage }))
  put('uploads', createUploadService(ctx, { memory: () => wired.memory }))
  // The agent's tools over whichever memory and routines are wired, in the order the agent lists them.
  ctx.tools.addProvider(builtinTools({ runtime: ctx.runtime, clock: ctx.clock }))
  ctx.tools.addProvider(memoryToolProvider(() => wired.memory))
  if (ctx.store) {
    const chat = createChatService(ctx.store, ctx.clock, ctx.config.limits.quotas)
    put('threads', chat.threads)
    put('turns', chat.turns)
    ctx.onDeleteUser(chat.deleteUser)
  }
  const jobs = await createJobsService(ctx)
  // `agent` jobs run the agent loop on whichever provider and ledger are finally wired.
  jobs?.attachAgent(
    new LoopJobAgent({
      llm: () => wired.llm,
      usage: () => wired.usage,
      maxSteps: ctx.config.jobs.agentMaxSteps,
      maxTokens: ctx.config.llm.maxTokens,
      historyChars: ctx.config.agent.historyChars,
    }),
  )
  put('jobs', jobs)
  put('routines', await createRoutinesService(ctx, { jobs: () => wired.jobs, threads: () => wired.threads, users: () => wired.users }))
  ctx.tools.addProvider(routineToolProvider(() => wired.routines))
  put('logs', createLogsService(ctx))
  const accounts = await createUsersService(ctx)
  put('users', accounts?.users)
  put('tokens', accounts?.tokens)
  put('sessions', accounts?.sessions)
  put('identities', accounts?.identities)
  put('settings', createSettingsService(ctx))
  put('pairing', createPairingService(ctx))
  put('secrets', await createSecretsService(ctx))
  put('skills', createSkillsService(ctx))
  const extensions = await createExtensionsService(ctx, { secrets: () => wired.secrets })
  put('extensions', extensions)
  put('extensionAuth', extensions)
  const store = ctx.store
  if (store) ctx.onDeleteUser(async (userId) => void (await store.db.deleteFrom('events').where('user_id', '=', userId).execute()))
  return out
}
