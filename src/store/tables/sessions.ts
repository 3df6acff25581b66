/**
 * The tables of web sign-in: cookie sessions and the identities users sign in with from outside
 * (a trusted proxy's header, an OIDC provider). Owned by migration 0012.
 */

/** A web app session. Only the SHA-256 of the cookie's secret is kept. */
export interface WebSessionsTable {
  /** `ses_<uuid>`: how the tokens page names it (and how stream tickets and links refer to it). */
  id: string
  user_id: string
  /** Lowercase hex SHA-256 of the cookie's secret; unique. */
  secret_hash: string
  /** How it was opened: `token` (a pasted bearer token), `proxy` (trusted header) or `oidc`. */
  method: string
  /** The proxy header's value, or `<issuer> <sub>`; null for `token`. */
  subject: string | null
  user_agent: string | null
  created_at: string
  /** Written at most once a minute; the idle timeout counts from it. */
  last_seen_at: string
  /** The absolute end, however active the session is. */
  expires_at: string
  revoked_at: string | null
}

/** Who an outside identity is here: `(provider, subject)` -> user. */
export interface ExternalIdentitiesTable {
  /** `proxy`, or an OIDC issuer URL. */
  provider: string
  /** The proxy header's value or the ID token's `sub`. */
  subject: string
  user_id: string
  created_at: string
}

export interface SessionTables {
  web_sessions: WebSessionsTable
  external_identities: ExternalIdentitiesTable
}
