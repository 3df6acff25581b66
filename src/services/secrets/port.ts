import type { SecretInfo } from '../../protocol/users'

export interface SecretOptions {
  /** A grouping tag (`openai`, `my-app`). */
  provider?: string | null | undefined
  /** ISO time after which `get` no longer returns the value. */
  expiresAt?: string | null | undefined
}

/**
 * Per-user secrets (API keys for extensions...), encrypted at rest. Values go out only through
 * `get`, to code that needs them; no route, log line or event ever carries one. Default:
 * `SecretsService` (needs a database and the master key).
 */
export interface SecretsPort {
  get(userId: string, name: string): Promise<string | undefined>
  set(userId: string, name: string, value: string, options?: SecretOptions): Promise<void>
  delete(userId: string, name: string): Promise<boolean>
  /** Names, providers and times; never values. */
  list(userId: string): Promise<SecretInfo[]>
}
