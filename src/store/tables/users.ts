/**
 * The tables of the users domain: accounts, API tokens, per-user secrets and settings, and the
 * pairing of messaging-channel senders. Owned by migration 0004.
 */

/** A gateway account. The owner (`GATEWAY_USER_ID`) has a row too, created at start-up. */
export interface UsersTable {
  id: string
  /** Lower-cased; unique when present. */
  email: string | null
  display_name: string | null
  /** `active` | `suspended` */
  status: string
  /** `admin` | `member` */
  role: string
  /** JSON object. */
  metadata: string
  created_by: string | null
  created_at: string
  updated_at: string
  last_login_at: string | null
}

/** An API token. Only its SHA-256 is kept; the plaintext is shown once, at creation. */
export interface ApiTokensTable {
  id: string
  user_id: string
  name: string
  /** Lowercase hex SHA-256 of the plaintext; unique. */
  token_hash: string
  /** The first 8 characters of the plaintext, so a user can tell tokens apart. */
  token_prefix: string
  expires_at: string | null
  /** Updated at most once a minute per token, not on every request. */
  last_used_at: string | null
  created_at: string
  revoked_at: string | null
  /** Who minted it, when not its own user (impersonation, or the account's first token); null = the user. */
  minted_by: string | null
  /** Minted for this user by someone else acting as it (the owner), or with such a token. */
  is_impersonation: boolean
}

/** A per-user secret, AES-GCM encrypted under the master key; the name is unique per user. */
export interface SecretsTable {
  id: string
  user_id: string
  name: string
  /** `v1.<salt>.<iv>.<ciphertext+tag>` (base64url), bound to user id and name as AAD. */
  ciphertext: string
  /** Identifies the master key that encrypted it, so a wrong key fails with a clear error. */
  key_id: string
  provider: string | null
  expires_at: string | null
  created_at: string
  updated_at: string
}

/** One setting of one user; the value is JSON text. */
export interface SettingsTable {
  user_id: string
  key: string
  value: string
  updated_at: string
}

/** A pending pairing request from a messaging-channel sender (expires after 15 minutes). */
export interface PairingRequestsTable {
  id: string
  channel: string
  /** 8 characters of `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`; unique per channel. */
  code: string
  sender_id: string
  /** JSON object or null (sender's display name, chat id...). */
  meta: string | null
  created_at: string
  expires_at: string
}

/** An approved sender: the channel routes its messages to `user_id`. */
export interface PairingApprovalsTable {
  channel: string
  sender_id: string
  user_id: string
  approved_by: string
  meta: string | null
  approved_at: string
}

export interface UsersTables {
  users: UsersTable
  api_tokens: ApiTokensTable
  secrets: SecretsTable
  settings: SettingsTable
  pairing_requests: PairingRequestsTable
  pairing_approvals: PairingApprovalsTable
}
