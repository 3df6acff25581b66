import type { LlmProvider } from '../llm/provider'
import type { ThreadsPort, TurnStore } from './chat/port'
import type { ExtensionAuth, ExtensionsPort } from './extensions/port'
import type { JobsPort } from './jobs/port'
import type { LogsPort } from './logs/port'
import type { MemoryPort } from './memory/port'
import type { PairingPort } from './pairing/port'
import type { RoutinesPort } from './routines/port'
import type { SecretsPort } from './secrets/port'
import type { SettingsPort } from './settings/port'
import type { SkillsPort } from './skills/port'
import type { UsagePort } from './usage/port'
import type { ExternalIdentitiesPort, SessionsPort, TokensPort, UsersPort } from './users/port'
import type { UploadsPort } from './uploads/port'

/**
 * The optional subsystems behind the routes, each a port (`services/<x>/port.ts`) with a default
 * implementation. An absent one makes its routes answer 503 `<name>_unavailable`. Replace or add
 * one with `createGateway({ services })` or `gateway.withServices()`; routes read this object at
 * request time, and services reach their siblings through it by name, never the whole object.
 */
export interface Services {
  /** Threads and history behind `/api/chat/*`; without one, threads are plain UUIDs and history answers 503. */
  threads?: ThreadsPort | undefined
  /** Where the default agent keeps turns; without one (and without `options.agent`) no agent is attached. */
  turns?: TurnStore | undefined
  /** Extension credentials asked for in chat (`auth_required`): usually the extensions subsystem itself. */
  extensionAuth?: ExtensionAuth | undefined
  /** The LLM usage ledger and daily budget (needs a database). */
  usage?: UsagePort | undefined
  /** Per-user secrets, encrypted at rest (needs a database and the master key). */
  secrets?: SecretsPort | undefined
  /** The model provider (from `config.llm`); absent = not configured (the proxy answers 503, chat an error event). */
  llm?: LlmProvider | undefined
  /** Accounts, roles, suspension, profiles (needs a database). */
  users?: UsersPort | undefined
  /** API tokens; the default is also the authenticator's resolver (needs a database). */
  tokens?: TokensPort | undefined
  /** Per-user settings (needs a database). */
  settings?: SettingsPort | undefined
  /** Pairing of messaging-channel senders with users. */
  pairing?: PairingPort | undefined
  /** Live logs and the run-time level (needs `createGateway({ logging })`). */
  logs?: LogsPort | undefined
  /** Installed skills per user and shared, and the agent's per-message skill context. */
  skills?: SkillsPort | undefined
  /** Each user's MCP extensions (install, setup, activation, OAuth). */
  extensions?: ExtensionsPort | undefined
  /** The memory workspace: per-user markdown documents with hybrid search (needs a database). */
  memory?: MemoryPort | undefined
  /** Files attached to chat messages and dropped into memory: sniffed, bounded, their text extracted. */
  uploads?: UploadsPort | undefined
  /** Sandbox jobs (needs a database and the runtime's sandbox). */
  jobs?: JobsPort | undefined
  /** Scheduled and triggered agent work (needs a database). */
  routines?: RoutinesPort | undefined
  /** Web app cookie sessions (needs a database; without it the web app keeps the token in the tab). */
  sessions?: SessionsPort | undefined
  /** Accounts of people who sign in through a trusted proxy or OIDC, created on first sight. */
  identities?: ExternalIdentitiesPort | undefined
}
