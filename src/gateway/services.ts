import type { ToolRegistry } from '../agent/tools/tool-registry'
import type { JobsService } from '../services/jobs/jobs-service'
import type { UsageService } from '../services/usage/usage-service'

/**
 * Resolves the thread a chat message belongs to: the given one when the caller owns it (404
 * otherwise), or a new one. Implemented by the chat/threads subsystem; without it, threads are
 * plain UUIDs with no history.
 */
export interface ThreadDirectory {
  resolveThread(userId: string, threadId: string | undefined, firstMessage: string): Promise<string>
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
  set(userId: string, name: string, value: string): Promise<void>
  delete(userId: string, name: string): Promise<boolean>
  list(userId: string): Promise<Array<{ name: string; created_at: string; updated_at: string }>>
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
  /** Sandbox jobs (needs a database and the runtime's sandbox). */
  jobs?: JobsService | undefined
}

