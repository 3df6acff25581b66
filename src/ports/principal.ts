import type { Role } from '../protocol/users'

/** Who is calling. Set on the context by the auth middleware for every protected handler. */
export interface Principal {
  userId: string
  role: Role
  /** The API token used, or null for the owner's configured token. */
  tokenId: string | null
  displayName: string | null
  /** When the API token stops working (ms since epoch); absent or null = no expiry. */
  expiresAt?: number | null | undefined
  /** Who minted the API token when it was not this user (impersonation by the owner, an account's first token). */
  mintedBy?: string | null | undefined
  /**
   * The token is an impersonation token: `mintedBy` (the owner) acts as this user with it. A
   * token minted with it is one too, so the mark cannot be shed by minting another.
   */
  impersonation?: boolean | undefined
  /**
   * Set when the credential is a web app cookie session (then `tokenId` is the session's id):
   * how it was opened, and the outside identity it was opened for (a proxy header's value,
   * `<issuer> <sub>`). Such a credential is accepted from the cookie only, never as a bearer token.
   */
  session?: { method: 'token' | 'proxy' | 'oidc'; subject: string | null } | undefined
}

/** A principal with the digest of the credential that proved it (streams re-check by it). */
export interface Authenticated {
  principal: Principal
  credential: Uint8Array
}

/**
 * Resolves a token that is not the owner's (API tokens in the database). Given the SHA-256 hex of
 * the presented token, so plaintext tokens never reach storage code.
 */
export interface TokenResolver {
  resolve(tokenHash: string): Promise<Principal | null>
  /**
   * The principal of a live token named by its id and user (what a signed link or a stream
   * ticket records of the token that minted it); null when it no longer authenticates. Without
   * it, links and tickets minted by API tokens stop working (fail closed).
   */
  resolveId?(userId: string, tokenId: string): Promise<Principal | null>
}
