import type { ToolRegistry } from '../agent/tools/tool-registry'
import type { LlmProvider } from '../agent/llm/provider'
import type { HistoryQuery, HistoryResponse, ThreadInfo, ThreadList } from '../protocol/chat'
import type { JobsService } from '../services/jobs/jobs-service'
import type { LogsPort } from '../services/logs/logs-service'
import type { PairingPort } from '../services/pairing/pairing-service'
import type { SettingsPort } from '../services/settings/settings-service'
import type { SkillsPort } from '../services/skills/skills-service'
import type { ExtensionsPort } from '../services/extensions/extensions-service'
import type { MemoryService } from '../services/memory/memory-service'
import type { RoutinesService } from '../services/routines/routines-service'
import type { UsageService } from '../services/usage/usage-service'
import type { TokenService } from '../services/users/token-service'
import type { UsersService } from '../services/users/users-service'

/**
 * Threads and history. `resolveThread` gives the thread a chat message belongs to: the given one
 * when the caller owns it (404 otherwise), or a new one titled by the message. Default
 * implementation: `ThreadService` over the chat tables; without it, threads are plain UUIDs with
 * no history and the history routes answer 503 `threads_unavailable`.
 */
export interface ThreadDirectory {
  resolveThread(
    userId: string,
    threadId: string | undefined,
    firstMessage: string,
    options?: { channel?: string; metadata?: Record<string, unknown> },
  ): Promise<string>
  createThread(userId: string): Promise<ThreadInfo>
  listThreads(userId: string, options: { limit: number }): Promise<ThreadList>
  history(userId: string, query: HistoryQuery): Promise<HistoryResponse>
  /** The same page as JSON text, which an implementation may keep while the thread does not change (and then answer synchronously). */
  historyJson(userId: string, query: HistoryQuery): string | Promise<string>
}


/** Extension credential flows started from chat (`auth_required` -> token or cancel). */
export interface ExtensionAuth {
  submitToken(userId: string, extensionName: string, token: string): Promise<import('../protocol/errors').ActionResponse>
  cancelAuth(userId: string, extensionName: string): Promise<void>
}

/**
 * Per-user secrets (API keys for extensions...), encrypted at rest. Values go out only through
 * `get`, to code that needs them; no route, log line or event ever carries one.
 */
export interface SecretsPort {
  get(userId: string, name: string): Promise<string | undefined>
  set(userId: string, name: string, value: string, options?: SecretOptions): Promise<void>
  delete(userId: string, name: string): Promise<boolean>
  list(userId: string): Promise<Array<{ name: string; created_at: string; updated_at: string; provider?: string | null; expires_at?: string | null }>>
}

export interface SecretOptions {
  /** A grouping tag (`openai`, `my-app`). */
  provider?: string | null | undefined
  /** ISO time after which `get` no longer returns the value. */
  expiresAt?: string | null | undefined
}

/**
 * The optional subsystems behind the routes. Each is a port with a default implementation; an
 * absent one makes its routes answer 503 `<name>_unavailable`. Wire them with options or the
 * gateway's `with*()` methods; routes read this object at request time.
 */
export interface Services {
  threads?: ThreadDirectory | undefined
  extensionAuth?: ExtensionAuth | undefined
  /** The LLM usage ledger (needs a database). */
  usage?: UsageService | undefined
  secrets?: SecretsPort | undefined
  /** The model provider (from `config.llm`); absent = not configured (the proxy answers 503, chat an error event). */
  llm?: LlmProvider | undefined
  /** Accounts, roles, suspension, profiles (needs a database). */
  users?: UsersPort | undefined
  /** API tokens; also the authenticator's resolver (needs a database). */
  tokens?: TokensPort | undefined
  settings?: SettingsPort | undefined
  /** Pairing of messaging-channel senders with users. */
  pairing?: PairingPort | undefined
  /** Live logs and the run-time level (needs `createGateway({ logging })`). */
  logs?: LogsPort | undefined
  /** Installed skills per user and shared, and the agent's per-message skill context. */
  skills?: SkillsPort | undefined
  /** Each user's MCP extensions (install, setup, activation, OAuth); also `extensionAuth`. */
  extensions?: ExtensionsPort | undefined
  /** The memory workspace: per-user markdown documents with hybrid search (needs a database). */
  memory?: MemoryService | undefined
  /** Sandbox jobs (needs a database and the runtime's sandbox). */
  jobs?: JobsService | undefined
  /** Scheduled and triggered agent work (needs a database). */
  routines?: RoutinesService | undefined
}

export type UsersPort = Pick<UsersService, 'ownerId' | 'list' | 'get' | 'create' | 'update' | 'setStatus' | 'delete' | 'updateProfile'>
export type TokensPort = Pick<TokenService, 'create' | 'list' | 'ofUser' | 'revoke'>

