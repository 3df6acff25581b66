import { SignInConfig, signInFromEnv } from './sign-in-config'
import { z } from 'zod'
import { LogLevel } from '../protocol/logs'
import { JobsConfig, parseJobCommands } from './jobs-config'
import { UploadsConfig, uploadsFromEnv } from './uploads-config'

export const LlmBackend = z.enum(['openai_compatible', 'openai', 'anthropic', 'ollama'])
export type LlmBackend = z.infer<typeof LlmBackend>

/**
 * What one user may hold at once, so one account cannot fill the database or the disk for
 * everyone: past a quota, creating more answers 429 `quota_exceeded`.
 */
export const UserQuotas = z.object({
  /** Chat threads (the assistant thread and routines' threads included). */
  threadsPerUser: z.number().int().positive().default(10_000),
  /** Threads without a message yet (`POST /api/chat/thread/new`): use one before making more. */
  emptyThreadsPerUser: z.number().int().positive().default(20),
  memoryDocumentsPerUser: z.number().int().positive().default(10_000),
  routinesPerUser: z.number().int().positive().default(100),
  /** Skills in one user's own scope (and in the shared one). */
  skillsPerUser: z.number().int().positive().default(200),
  /** Stream tickets issued and not yet used (they expire after 60 s). */
  pendingStreamTicketsPerUser: z.number().int().positive().default(16),
  /** Jobs pending or running. */
  openJobsPerUser: z.number().int().positive().default(20),
})
export type UserQuotas = z.infer<typeof UserQuotas>

/** Limits are configuration, not constants, so embedders and tests can tune them. */
export const GatewayLimits = z.object({
  /** SSE + WS streams together, across users (the 101st gets 503 before any upgrade). */
  maxConnections: z.number().int().positive().default(100),
  /** Streams one user may hold, so one user cannot take all of them. */
  maxConnectionsPerUser: z.number().int().positive().default(20),
  /**
   * Of `maxConnections`, how many only admins (the owner included) may use, so members together
   * can never lock them out (at most `maxConnections - maxConnectionsPerUser` are set aside).
   */
  adminReservedConnections: z.number().int().min(0).default(10),
  /**
   * Streams (SSE or WS) one user may open per `streamOpenWindowMs`, so clients reconnecting in a
   * loop get 429 instead of costing a handshake, a replay and a subscription each time. A tab
   * reconnects every 3 s at most; the default leaves room for several.
   */
  streamOpensPerWindow: z.number().int().positive().default(120),
  streamOpenWindowMs: z.number().int().positive().default(60_000),
  bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /**
   * The per-user model-call budget: starts of model work per window, shared by chat messages
   * (REST, WS), `/v1/*` requests, routine runs and job turns.
   */
  chatMessagesPerWindow: z.number().int().positive().default(30),
  chatWindowMs: z.number().int().positive().default(60_000),
  wsMaxPayloadBytes: z.number().int().positive().default(1024 * 1024),
  /** Events kept in memory per user for `Last-Event-ID` replay. */
  replayBufferPerUser: z.number().int().positive().default(1024),
  /** Events queued for one subscriber before it is told to resync. */
  subscriberQueue: z.number().int().positive().default(256),
  /** Bytes buffered for one subscriber's socket before it is told to resync. */
  subscriberBufferBytes: z.number().int().positive().default(1024 * 1024),
  keepAliveMs: z.number().int().positive().default(30_000),
  /**
   * Slowloris bounds, for adapters that own the HTTP server (Node): a client gets this long to
   * send its request headers, and `requestTimeoutMs` for the whole request, body included.
   */
  headersTimeoutMs: z.number().int().positive().default(20_000),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** How long persisted events stay replayable. */
  eventRetentionMs: z.number().int().positive().default(24 * 60 * 60 * 1000),
  /**
   * How long the streaming deltas of an answer (`stream_chunk`, `thinking`, `status`) stay in
   * the log before they are folded away (history keeps the answer; a replay from before gets
   * `resync`). At most `eventRetentionMs` to mean anything.
   */
  eventCompactAfterMs: z.number().int().positive().default(60 * 60 * 1000),
  /** Optional LLM spend per user per UTC day (US dollars); past it, chat and `/v1` answer 429 `budget_exceeded`. */
  dailyBudgetUsd: z.number().positive().optional(),
  quotas: UserQuotas.prefault({}),
})
export type GatewayLimits = z.infer<typeof GatewayLimits>

export const LlmConfig = z.object({
  backend: LlmBackend.default('openai_compatible'),
  baseUrl: z.string().url().optional(),
  apiKey: z.string().optional(),
  model: z.string().optional(),
  embeddingModel: z.string().optional(),
  /** No byte from the provider for this long (before the first token or between chunks) fails the call. */
  timeoutMs: z.number().int().positive().default(90_000),
  /** Retries on 429/5xx/connection errors before the first token (`Retry-After` honoured). */
  maxRetries: z.number().int().min(0).max(10).default(2),
  retryBaseDelayMs: z.number().int().min(0).default(500),
  /** A `Retry-After` longer than this fails the call instead of waiting. */
  maxRetryDelayMs: z.number().int().min(0).default(30_000),
  /** Cap on output tokens per call, for the agent and for `/v1/chat/completions` (clamped). */
  maxTokens: z.number().int().positive().default(4096),
  /** Whether the model takes images; unset = guessed from the model name. */
  vision: z.boolean().optional(),
  /** US dollars per million tokens, by model name; overrides the built-in list prices. */
  prices: z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) })).default({}),
})
export type LlmConfig = z.infer<typeof LlmConfig>

/** Skills: the ClawHub-compatible registry searched and installed from, and download limits. */
const SkillsConfig = z.object({
  /** Base URL of a ClawHub-compatible registry (`GATEWAY_SKILLS_REGISTRY_URL`); plain http is allowed only for this host. */
  registryUrl: z.string().url().default('https://clawhub.ai'),
  /** Registry searches give up after this long (local results are still returned). */
  registryTimeoutMs: z.number().int().positive().default(5_000),
  /** A download (registry or URL) is aborted after this long. */
  downloadTimeoutMs: z.number().int().positive().default(15_000),
  /** Bytes read from a download at most. */
  maxDownloadBytes: z.number().int().positive().default(10 * 1024 * 1024),
})
export type SkillsConfig = z.infer<typeof SkillsConfig>

/** Extensions (MCP servers): where more manifests live, and connection limits. */
const ExtensionsConfig = z.object({
  /** A directory of extra manifest files (`*.json`), added to the built-in registry (`GATEWAY_EXTENSIONS_DIR`). */
  dir: z.string().min(1).optional(),
  /** Connecting to (and listing the tools of) an MCP server gives up after this long. */
  connectTimeoutMs: z.number().int().positive().default(60_000),
  /** One tool call gives up after this long (progress notifications extend it). */
  toolTimeoutMs: z.number().int().positive().default(120_000),
  /** Active MCP connections one user may hold. */
  maxActivePerUser: z.number().int().positive().default(8),
  /**
   * The OAuth redirect URL registered with providers (`GATEWAY_OAUTH_CALLBACK_URL`), e.g.
   * `https://agent.example.com/oauth/callback` behind a TLS proxy. Default: the origin the
   * browser used, plus `/oauth/callback`.
   */
  oauthCallbackUrl: z.url().optional(),
})
export type ExtensionsConfig = z.infer<typeof ExtensionsConfig>

/** The default agent (`src/agent`). */
export const AgentConfig = z.object({
  /** Replaces the built-in system prompt. */
  systemPrompt: z.string().optional(),
  /** Model calls per turn; the last one is made without tools so the turn ends with an answer. */
  maxSteps: z.number().int().min(1).max(50).default(10),
  /** Earlier turns of the thread given to the model as context. */
  historyTurns: z.number().int().min(0).max(200).default(20),
  /** Characters of earlier turns given as context (oldest dropped first). */
  historyChars: z.number().int().positive().default(60_000),
  /** A context contributor slower than this is skipped for the turn. */
  contributorTimeoutMs: z.number().int().positive().default(2_000),
  /**
   * What a `/v1` client (model `agent`) gets when a turn needs an approval
   * (`GATEWAY_AGENT_API_APPROVALS`): `error` ends the answer with an error naming the approval and
   * a link to it; `wait` keeps the request open until it is answered. A request's
   * `X-Gateway-Approvals` header overrides it.
   */
  apiApprovals: z.enum(['error', 'wait']).default('error'),
  /**
   * On PostgreSQL (several instances), how long a running turn's lease lasts without renewal
   * (`GATEWAY_TURN_LEASE_SECS`): once it lapses, another instance takes its instance for dead and
   * ends the turn with `turn_interrupted`. Renewed, and peers checked, every quarter of it.
   */
  turnLeaseMs: z.number().int().min(2_000).max(600_000).default(6_000),
  /**
   * How long a tool call waits for the user's approval (`GATEWAY_APPROVAL_TTL_SECS`, default 24 h):
   * then it expires (`approval_expired`), its turn ends, and a late answer gets 410.
   */
  approvalTtlMs: z.number().int().min(1_000).max(365 * 86_400_000).default(86_400_000),
})
export type AgentConfig = z.infer<typeof AgentConfig>

export const GatewayConfig = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(3000),
  /** The owner's bearer token. Adapters generate and print one when it is absent. */
  authToken: z.string().min(1).optional(),
  userId: z.string().min(1).max(128).default('owner'),
  /**
   * Encrypts stored secrets (AES-GCM). `GATEWAY_MASTER_KEY`, else the Node adapter keeps a
   * generated one in `<dataDir>/master-key` (0600). Without it the secrets subsystem is off.
   */
  masterKey: z.string().min(32, 'GATEWAY_MASTER_KEY must be at least 32 characters').optional(),
  dataDir: z.string().min(1).default('./.gateway'),
  /** Extra origins for CORS and the WebSocket Origin check. */
  allowedOrigins: z.array(z.string()).default([]),
  databaseUrl: z.string().optional(),
  /**
   * PostgreSQL: how long a request waits for a pooled connection, then for each of its queries,
   * before it answers 503 `database_unavailable` (`DATABASE_TIMEOUT_SECS`; why 5 s: see
   * `openPostgresStore` in adapters/shared/open-store.ts).
   */
  databaseTimeoutMs: z.number().int().positive().default(5_000),
  llm: LlmConfig.default(LlmConfig.parse({})),
  agent: AgentConfig.default(AgentConfig.parse({})),
  logLevel: LogLevel.default('info'),
  limits: GatewayLimits.default(GatewayLimits.parse({})),
  skills: SkillsConfig.default(SkillsConfig.parse({})),
  extensions: ExtensionsConfig.default(ExtensionsConfig.parse({})),
  jobs: JobsConfig.default(JobsConfig.parse({})),
  /** Cookie sessions, trusted-proxy and OIDC sign-in (`sign-in-config.ts`). */
  signIn: SignInConfig.default(SignInConfig.parse({})),
  uploads: UploadsConfig.default(UploadsConfig.parse({})),
})
export type GatewayConfig = z.infer<typeof GatewayConfig>
export type GatewayConfigInput = z.input<typeof GatewayConfig>

type Env = Record<string, string | undefined>

const FLAGS: Record<string, 'host' | 'port' | 'dataDir' | 'logLevel'> = {
  '--host': 'host',
  '--port': 'port',
  '--data-dir': 'dataDir',
  '--log-level': 'logLevel',
}

/** Reads `--flag value` and `--flag=value` pairs; unknown flags are an error so typos are not silent. */
export function parseFlags(argv: readonly string[]): Partial<Record<'host' | 'port' | 'dataDir' | 'logLevel', string>> {
  const out: Partial<Record<'host' | 'port' | 'dataDir' | 'logLevel', string>> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const key = FLAGS[flag]
    if (!key) throw new Error(`unknown option ${flag} (known: ${Object.keys(FLAGS).join(', ')}, --help)`)
    const value = inline ?? argv[++i]
    if (value === undefined) throw new Error(`option ${flag} needs a value`)
    out[key] = value
  }
  return out
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/**
 * Builds the configuration from environment variables and command-line flags (flags win).
 * Names are fixed by architecture.md; see the README's configuration table.
 *
 * @example
 * ```ts
 * const config = loadConfig(env, argv) // the runtime's environment and flags: GATEWAY_PORT=8080, --data-dir ./data
 * const gateway = await createGateway({ config })
 * ```
 */
export function loadConfig(env: Env, argv: readonly string[] = []): GatewayConfig {
  const flags = parseFlags(argv)
  const backend = env.LLM_BACKEND || 'openai_compatible'
  const apiKey =
    env.LLM_API_KEY || (backend === 'anthropic' ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY) || undefined
  const port = flags.port ?? env.GATEWAY_PORT
  const number = (value: string | undefined): number | undefined => (value === undefined || value === '' ? undefined : Number(value))
  const timeoutSecs = number(env.LLM_TIMEOUT_SECS)
  const databaseTimeoutSecs = number(env.DATABASE_TIMEOUT_SECS)
  const budget = number(env.GATEWAY_DAILY_BUDGET_USD)
  return GatewayConfig.parse({
    host: flags.host ?? env.GATEWAY_HOST ?? undefined,
    port: port === undefined || port === '' ? undefined : Number(port),
    authToken: env.GATEWAY_AUTH_TOKEN || undefined,
    userId: env.GATEWAY_USER_ID || undefined,
    masterKey: env.GATEWAY_MASTER_KEY || undefined,
    dataDir: flags.dataDir ?? (env.GATEWAY_DATA_DIR || undefined),
    allowedOrigins: list(env.GATEWAY_ALLOWED_ORIGINS),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseTimeoutMs: databaseTimeoutSecs === undefined ? undefined : Math.round(databaseTimeoutSecs * 1000),
    llm: {
      backend,
      baseUrl: env.LLM_BASE_URL || undefined,
      apiKey,
      model: env.LLM_MODEL || undefined,
      embeddingModel: env.EMBEDDING_MODEL || undefined,
      timeoutMs: timeoutSecs === undefined ? undefined : Math.round(timeoutSecs * 1000),
      vision: env.LLM_VISION ? /^(1|true|yes|on)$/i.test(env.LLM_VISION) : undefined,
    },
    limits: {
      dailyBudgetUsd: budget,
      ...(env.GATEWAY_EVENT_RETENTION_HOURS ? { eventRetentionMs: Math.round(Number(env.GATEWAY_EVENT_RETENTION_HOURS) * 3600_000) } : {}),
      ...(env.GATEWAY_EVENT_COMPACT_AFTER_MINS ? { eventCompactAfterMs: Math.round(Number(env.GATEWAY_EVENT_COMPACT_AFTER_MINS) * 60_000) } : {}),
    },
    agent: AgentConfig.parse({
      ...(env.GATEWAY_TURN_LEASE_SECS ? { turnLeaseMs: Math.round(Number(env.GATEWAY_TURN_LEASE_SECS) * 1000) } : {}),
      ...(env.GATEWAY_APPROVAL_TTL_SECS ? { approvalTtlMs: Math.round(Number(env.GATEWAY_APPROVAL_TTL_SECS) * 1000) } : {}),
      ...(env.GATEWAY_AGENT_API_APPROVALS ? { apiApprovals: env.GATEWAY_AGENT_API_APPROVALS.toLowerCase() } : {}),
    }),
    logLevel: (flags.logLevel ?? env.GATEWAY_LOG_LEVEL ?? 'info').toLowerCase(),
    skills: { registryUrl: env.GATEWAY_SKILLS_REGISTRY_URL || undefined },
    extensions: { dir: env.GATEWAY_EXTENSIONS_DIR || undefined, oauthCallbackUrl: env.GATEWAY_OAUTH_CALLBACK_URL || undefined },
    jobs: {
      isolation: env.GATEWAY_JOB_ISOLATION || undefined,
      commands: parseJobCommands(env.GATEWAY_JOB_COMMANDS),
    },
    signIn: signInFromEnv(env),
    uploads: uploadsFromEnv(env),
  })
}
