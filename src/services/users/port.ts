import type { Role } from '../../protocol/users'
import type { SessionInfo, SessionMethod } from '../../protocol/sessions'
import type { CreatedToken, CreateUserRequest, TokenInfo, UpdateProfileRequest, UpdateUserRequest, User, UserStatus } from '../../protocol/users'

/** Who is asking: guards (no self-suspension...) need the actor. */
export interface Actor {
  userId: string
}

/**
 * Gateway accounts: roles, suspension, profiles. The owner (`GATEWAY_USER_ID`) is always an
 * active admin. Methods that name a user answer undefined (or false) for an unknown one.
 * Default: `UsersService` (needs a database).
 */
export interface UsersPort {
  readonly ownerId: string
  list(): Promise<User[]>
  get(id: string): Promise<User | undefined>
  /** Creates a user and its first API token (the only time its plaintext is shown). */
  create(input: CreateUserRequest, actor: Actor): Promise<{ user: User; token: CreatedToken }>
  update(id: string, patch: UpdateUserRequest, actor: Actor): Promise<User | undefined>
  /** Suspending closes the user's streams and fails their tokens at once. */
  setStatus(id: string, status: UserStatus, actor: Actor): Promise<User | undefined>
  /** Deletes the user and all their data (every subsystem's eraser). */
  delete(id: string, actor: Actor): Promise<boolean>
  updateProfile(id: string, patch: UpdateProfileRequest): Promise<User | undefined>
}

/** Each user's API tokens: shown once, stored hashed. Default: `TokenService` (also the authenticator's resolver). */
export interface TokensPort {
  create(userId: string, options: { name: string; expiresAt?: string | null; mintedBy?: string | undefined; impersonation?: boolean }): Promise<CreatedToken>
  list(userId: string): Promise<TokenInfo[]>
  /** One user's tokens only (admin views), newest first, impersonation ones marked. */
  ofUser(userId: string): Promise<TokenInfo[]>
  /** The revoked token, or undefined when the user has none by that id. */
  revoke(userId: string, tokenId: string): Promise<TokenInfo | undefined>
}

/** People who sign in from outside, by `(provider, subject)`. Default: `ExternalIdentities`. */
export interface ExternalIdentitiesPort {
  signIn(
    provider: string,
    subject: string,
    profile: { displayName?: string | null | undefined; email?: string | null | undefined; role?: Role | null | undefined },
    defaultRole: Role,
  ): Promise<{ userId: string; created: boolean }>
}

/** Web app cookie sessions (stored hashed). Default: `SessionService` (also a credential resolver). */
export interface SessionsPort {
  /** Opens a session; the secret (the cookie's value) is in the result and nowhere else. */
  create(userId: string, options: { method: SessionMethod; subject?: string | null; userAgent?: string | null }): Promise<{ secret: string; info: SessionInfo }>
  /** The user's live sessions, newest first (`currentId` marks the caller's). */
  list(userId: string, currentId?: string | null): Promise<SessionInfo[]>
  /** Ends one of the user's sessions: refused from the next request, its streams closed. */
  revoke(userId: string, sessionId: string): Promise<SessionInfo | undefined>
  get(userId: string, sessionId: string): Promise<SessionInfo | undefined>
}
