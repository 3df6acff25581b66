/**
 * The extensions domain: each user's installed MCP extensions, and pending OAuth sign-ins.
 * Owned by migration 0008.
 */

/** One extension installed by one user (unique per user and name). */
export interface ExtensionInstallsTable {
  id: string
  user_id: string
  name: string
  /** `registry` | `custom` */
  source: string
  /** JSON: the manifest as installed (a registry entry's current version is preferred at activation). */
  manifest: string
  /** JSON object: the user's non-secret setup fields. */
  config: string
  /** The user wants it running: set by a successful activation, so it reconnects after a restart. */
  enabled: boolean
  /** Why the last activation failed, or why the server stopped. */
  last_error: string | null
  created_at: string
  updated_at: string
}

/**
 * A pending OAuth sign-in. Only hashes of the state and of the browser-binding cookie are kept;
 * the row is deleted when used (once), when it expires, or when its extension is removed.
 */
export interface ExtensionOAuthFlowsTable {
  /** SHA-256 hex of the `state` parameter. */
  state_hash: string
  user_id: string
  extension: string
  /** The PKCE verifier (high entropy, lives five minutes). */
  code_verifier: string
  redirect_uri: string
  /** A same-origin path the result page links to. */
  redirect_after: string
  /** SHA-256 hex of the cookie set in the browser that started the flow. */
  browser_hash: string
  created_at: string
  expires_at: string
}

export interface ExtensionsTables {
  extension_installs: ExtensionInstallsTable
  extension_oauth_flows: ExtensionOAuthFlowsTable
}
