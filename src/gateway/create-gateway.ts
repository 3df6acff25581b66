import { Hono } from 'hono'
import { requireAuth } from '../auth/auth-middleware'
import { Authenticator } from '../auth/authenticator'
import { GatewayConfig } from '../config/gateway-config'
import { MemoryEventBus } from '../bus/memory-event-bus'
import { EventHub } from '../hub/event-hub'
import { randomAlphanumeric } from '../lib/crypto'
import { systemClock } from '../lib/time'
import { isDocOnly } from '../middleware/route-doc'
import { accessLog } from '../middleware/access-log'
import { requestSpan } from '../middleware/request-span'
import { corsPolicy } from '../middleware/cors'
import { edge } from '../middleware/edge'
import { errorHandler, notFoundHandler } from '../middleware/error-handler'
import { OriginPolicy } from '../middleware/origin-policy'
import { SlidingWindowLimiter } from '../lib/sliding-window-limiter'
import { StoreRateLimiter } from '../store/store-rate-limiter'
import { modelCallGate } from '../middleware/model-call-gate'
import { ModelCallBudget } from '../lib/model-call-budget'
import { StaticFirstRouter } from '../lib/static-first-router'
import { authRoutes } from '../routes/auth'
import { adminRoutes } from '../routes/admin'
import { adminSecretRoutes } from '../routes/admin-secrets'
import { chatRoutes } from '../routes/chat'
import { approvalRoutes } from '../routes/approvals'
import { docsRoutes } from '../routes/docs'
import { healthRoutes } from '../routes/health'
import { jobStreamRoutes } from '../routes/job-events'
import { jobRoutes } from '../routes/jobs'
import { projectRoutes } from '../routes/projects'
import { logRoutes } from '../routes/logs'
import { pairingRoutes } from '../routes/pairing'
import { profileRoutes } from '../routes/profile'
import { settingsRoutes } from '../routes/settings'
import { skillRoutes } from '../routes/skills'
import { extensionRoutes } from '../routes/extensions'
import { oauthCallbackRoutes } from '../routes/oauth-callback'
import { memoryRoutes } from '../routes/memory'
import { memoryUploadRoutes } from '../routes/uploads'
import { routineRoutes } from '../routes/routines'
import { webhookRoutes } from '../routes/webhooks'
import { mountRootPage, staticRoutes } from '../routes/static'
import { statusRoutes } from '../routes/status'
import { streamRoutes } from '../routes/streams'
import { tokenRoutes } from '../routes/tokens'
import { sessionPublicRoutes, sessionRoutes } from '../routes/sessions'
import { oidcRoutes } from '../routes/oidc'
import { TrustedProxy } from '../auth/trusted-proxy'
import { WebSessions } from '../auth/web-sessions'
import { ToolRegistry } from '../tools/tool-registry'
import { ContextContributors } from '../agent/context-contributors'
import { DefaultAgent } from '../agent/default-agent'
import { openaiRoutes } from '../routes/openai'
import { responsesRoutes } from '../routes/responses'
import { uiStreamRoutes } from '../routes/ui-stream'
import { unavailable } from '../lib/errors'
import { normalizeBasePath } from './base-path'
import { createDefaultServices } from './default-services'
import type { Gateway, GatewayOptions } from './gateway'
import { openStoreEventBus } from '../bus/open-event-bus'
import { VERSION } from '../version'
import { ChatCommands } from '../routes/chat-commands'
import type { RouteDeps } from '../routes/deps'
import type { GatewayEnv } from '../ports/env'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { Services } from '../services/services'
import { WebChannel } from '../hub/channel'

/**
 * The composition root: builds the Hono app from its parts. Middleware order (outermost first):
 * security headers -> host check -> CORS -> body limit -> routers (public, streams, static,
 * protected) -> error rendering. Every route is a pure Fetch handler; runtime specifics come in
 * through `options.runtime`. The runtime adapters' `createGateway` (`agent-gateway/node`, ...)
 * adds theirs and opens the configured database.
 *
 * @example
 * ```ts
 * const gateway = await createGateway({ config: { authToken: 'my-secret-token' }, services: { settings: mySettings } })
 * gateway.withAgent({ onMessage: (m) => gateway.channel.respond(m, `You said: ${m.content}`) })
 * host.route('/agent', gateway.app) // or serve gateway.fetch
 * ```
 * @see README "Embedding it in your app"
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const config = GatewayConfig.parse(options.config ?? {})
  const runtime: RuntimeCapabilities = options.runtime ?? { name: 'fetch' }
  const clock = runtime.clock ?? systemClock
  const generatedToken = config.authToken ? undefined : randomAlphanumeric(32)
  const ownerToken = config.authToken ?? generatedToken!
  const logging = options.logging
  // Masked in every log line, whatever code would print it.
  logging?.redactor.add(ownerToken)
  if (config.masterKey) logging?.redactor.add(config.masterKey)
  const auth = await Authenticator.create({
    ownerToken,
    ownerId: config.userId,
    sha256: runtime.sha256,
    now: () => clock.now(),
    ticketsPerUser: config.limits.quotas.pendingStreamTicketsPerUser,
  })
  const store = options.store
  const busOptions = { replayPerUser: config.limits.replayBufferPerUser, retentionMs: config.limits.eventRetentionMs, compactAfterMs: config.limits.eventCompactAfterMs, now: () => clock.now() }
  const bus = options.bus ?? (store ? await openStoreEventBus(store, busOptions) : new MemoryEventBus(busOptions))
  const hub = new EventHub(bus, config.limits, clock)
  const channel = new WebChannel(hub)
  const closers: Array<() => void | Promise<void>> = []
  if (store) closers.push(() => store.close())
  closers.push(() => bus.close(), () => hub.close())
  const tracing = options.tracing
  // Closed last (closers run in reverse): spans of the turns stopped by the close are sent too.
  if (tracing?.shutdown) closers.unshift(() => tracing.shutdown!())
  const services: Services = {}
  const tools = new ToolRegistry()
  const contextContributors = new ContextContributors(config.agent.contributorTimeoutMs)
  const userErasers: Array<(userId: string) => Promise<void>> = []
  const starters: Array<() => void | Promise<void>> = []
  // One per-user budget for every path that starts model calls (chat, /v1, routines, jobs); on
  // PostgreSQL counted in the database, so instances sharing it hold one budget, not one each.
  const { chatMessagesPerWindow: starts, chatWindowMs: windowMs } = config.limits
  const budget = new ModelCallBudget(
    store?.dialect === 'postgres'
      ? new StoreRateLimiter(store, starts, windowMs, () => clock.now())
      : new SlidingWindowLimiter(starts, windowMs, () => clock.now()),
  )
  const defaults = await createDefaultServices({
    config, store, hub, channel, auth, runtime, clock, tools, logging, budget,
    runMessage: async (message, runOptions) => {
      const agent = channel.agent
      if (!agent?.runMessage) throw unavailable('agent', 'No attached agent can run a message to completion')
      return agent.runMessage(message, runOptions)
    },
    onStart: (fn) => void starters.push(fn),
    onClose: (fn) => void closers.push(fn),
    onDeleteUser: (fn) => void userErasers.push(fn),
    deleteUserData: async (userId) => {
      for (const erase of userErasers) await erase(userId)
      await hub.bus.publishControl({ kind: 'disconnect', userId })
    },
  }, services)
  Object.assign(services, defaults, options.services)
  // Whichever skills port is finally wired (the default or an embedder's) shapes each prompt.
  contextContributors.add({ name: 'skills', contribute: ({ userId, message }) => services.skills?.contextFor(userId, message) })
  const commands = new ChatCommands(channel, services, budget, clock)
  const origins = new OriginPolicy(config.allowedOrigins)
  origins.setListenAddress(config.host, config.port)

  const deps: RouteDeps = {
    config, hub, channel, commands, services, runtime, origins, auth, clock, tools, budget,
    startedAt: clock.now(),
    version: VERSION,
    database: store?.dialect ?? 'none',
  }

  const basePath = normalizeBasePath(options.basePath)
  const signIn = config.signIn
  auth.web = new WebSessions({
    origins, basePath, publicUrl: signIn.publicUrl, ttlMs: signIn.sessions.ttlMs, sha256: runtime.sha256,
    trustedProxy: new TrustedProxy(signIn.trustedProxy, runtime.remoteAddress),
  })
  const root = new Hono<GatewayEnv>({ router: new StaticFirstRouter({ skip: ([handler]) => isDocOnly(handler) }) })
  const app = basePath ? (root.basePath(basePath) as unknown as Hono<GatewayEnv>) : root
  app.onError(errorHandler)
  app.notFound(notFoundHandler)
  app.use(
    edge({
      origins,
      cors: corsPolicy(origins),
      corsSkip: (path) => path.endsWith('/api/chat/ws'),
      bodyLimitBytes: config.limits.bodyLimitBytes,
      accessLog: accessLog({ now: () => clock.now(), ...(logging ? { enabled: () => logging.enabled('debug') } : {}) }),
      runtime,
      page: mountRootPage,
    }),
  )
  if (options.tracing) app.use(requestSpan(options.tracing))
  app.use('/v1/*', async (c, next) => {
    c.set('errorShape', 'openai')
    await next()
  })

  // Public: no token.
  app.route('/', healthRoutes())
  app.route('/', docsRoutes(() => app, VERSION, basePath))
  app.route('/', staticRoutes())
  // OAuth providers redirect the browser here: no token, the state is the credential.
  app.route('/', oauthCallbackRoutes(deps))
  // Web sign-in: the cookie session, a trusted proxy's header, the OIDC redirect and callback.
  app.route('/', sessionPublicRoutes(deps))
  app.route('/', oidcRoutes(deps))
  // Streams: their own auth, the only place `?token=` is accepted.
  app.route('/', streamRoutes(deps))
  // A job's event stream and files: the bearer header or a signed link (browsers open them without one).
  app.route('/', jobStreamRoutes(deps))
  app.route('/', projectRoutes(deps))
  app.route('/', logRoutes(deps))
  // Routine webhooks: no token, each delivery is signed with the routine's secret.
  app.route('/', webhookRoutes(deps))
  // Everything else needs a token.
  const protectedRoutes = new Hono<GatewayEnv>()
    .use(requireAuth(auth))
    // Every /v1 request that can call the model draws from the caller's budget, whichever route serves it.
    .use('/v1/*', modelCallGate(budget))
    .route('/', statusRoutes(deps))
    .route('/', authRoutes(deps))
    .route('/', chatRoutes(deps))
    .route('/', uiStreamRoutes(deps))
    .route('/', approvalRoutes(deps))
    .route('/', openaiRoutes(deps))
    .route('/', responsesRoutes(deps))
    .route('/', jobRoutes(deps))
    .route('/', adminRoutes(deps))
    .route('/', adminSecretRoutes(deps))
    .route('/', tokenRoutes(deps))
    .route('/', sessionRoutes(deps))
    .route('/', profileRoutes(deps))
    .route('/', settingsRoutes(deps))
    .route('/', pairingRoutes(deps))
    .route('/', skillRoutes(deps))
    .route('/', extensionRoutes(deps))
    .route('/', memoryRoutes(deps))
    .route('/', memoryUploadRoutes(deps))
    .route('/', routineRoutes(deps))
  app.route('/', protectedRoutes)

  let defaultAgent: DefaultAgent | undefined
  if (!options.agent && services.turns) {
    defaultAgent = await DefaultAgent.create({
      channel, turns: services.turns, tools, contributors: contextContributors, clock,
      llm: () => services.llm,
      usage: () => services.usage,
      config: config.agent,
      maxTokens: config.llm.maxTokens,
      // SQLite is one process (the data dir is locked); on PostgreSQL other instances may be running turns.
      exclusive: store?.dialect === 'sqlite',
      bus: hub.bus,
      tracing,
    })
    const agent = defaultAgent
    closers.push(() => agent.close())
  }
  const agent = options.agent ?? defaultAgent
  if (agent) channel.attach(agent)
  for (const start of starters.splice(0)) await start()

  const gateway: Gateway = {
    app,
    basePath,
    fetch: (request, env, ctx) => app.fetch(request, env, ctx as never),
    hub,
    channel,
    config,
    services,
    store,
    tools,
    contextContributors,
    defaultAgent,
    origins,
    auth,
    commands,
    budget,
    generatedToken,
    withServices(more) {
      Object.assign(services, more)
      return gateway
    },
    withAgent(agent) {
      channel.attach(agent)
      return gateway
    },
    onClose(fn) {
      closers.push(fn)
    },
    async close() {
      for (const fn of closers.splice(0).reverse()) {
        try {
          await fn()
        } catch {
          // keep closing the rest
        }
      }
    },
  }
  return gateway
}
