import { z } from 'zod'

/** What a user may do: admins manage users, pairing, logs and custom extensions. */
export const Role = z.enum(['admin', 'member'])
export type Role = z.infer<typeof Role>

/** Free-form JSON object attached to a user (at most 16 KiB of JSON). */
export const UserMetadata = z
  .record(z.string().max(128), z.json())
  .refine((value) => JSON.stringify(value).length <= 16 * 1024, 'metadata must be at most 16 KiB of JSON')

export const UserStatus = z.enum(['active', 'suspended'])
export type UserStatus = z.infer<typeof UserStatus>

/** A user as admins see it (contract Appendix B, plus `is_owner`). */
export const User = z.object({
  id: z.string(),
  email: z.string().nullable(),
  display_name: z.string().nullable(),
  status: UserStatus,
  role: Role,
  /** The owner of `GATEWAY_AUTH_TOKEN`: always an active admin, never suspended or deleted. */
  is_owner: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_login_at: z.string().nullable(),
  created_by: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
})
export type User = z.infer<typeof User>

export const UserList = z.object({ users: z.array(User) })

const DisplayName = z.string().trim().min(1).max(100)
const Email = z.email().max(254).transform((e) => e.toLowerCase())

export const CreateUserRequest = z.object({
  display_name: DisplayName,
  email: Email.optional(),
  role: Role.default('member'),
  metadata: UserMetadata.optional(),
  /** Name of the first API token (default `initial`). */
  token_name: z.string().trim().min(1).max(100).optional(),
})
export type CreateUserRequest = z.infer<typeof CreateUserRequest>

/** Omitted fields are left unchanged; `metadata` replaces the whole object. */
export const UpdateUserRequest = z.object({
  display_name: DisplayName.optional(),
  email: Email.nullable().optional(),
  role: Role.optional(),
  metadata: UserMetadata.optional(),
})
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>

export const UserStatusChanged = z.object({ id: z.string(), status: UserStatus })
export const UserDeleted = z.object({ id: z.string(), deleted: z.literal(true) })

/** The caller's own account. */
export const Profile = User.omit({ created_by: true })
export type Profile = z.infer<typeof Profile>

export const UpdateProfileRequest = z.object({
  display_name: DisplayName.nullable().optional(),
  metadata: UserMetadata.optional(),
})
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>

// --- API tokens ---

/** A token as listed: never the plaintext, never the hash. */
export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** The first 8 characters of the token. */
  token_prefix: z.string(),
  user_id: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  /** Who minted it when not `user_id` itself: the owner impersonating, or whoever created the account. */
  minted_by: z.string().nullable(),
  /** Someone other than `user_id` minted it (so someone else may hold it). */
  impersonation: z.boolean(),
})
export type TokenInfo = z.infer<typeof TokenInfo>

/** Your own tokens, then (`impersonation`) those you minted for other users. */
export const TokenList = z.object({ tokens: z.array(TokenInfo) })

/** `GET /api/admin/users/{id}/tokens`: every token of that user, impersonation ones marked. */
export const UserTokenList = z.object({ user_id: z.string(), tokens: z.array(TokenInfo) })

export const CreateTokenRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    expires_in_days: z.number().int().min(1).max(3650).nullable().optional(),
    /** An RFC 3339 time in the future; alternative to `expires_in_days`. */
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    /**
     * The owner only: a token for another user (impersonation), listed as such to both. Nobody
     * else mints for anyone but themselves.
     */
    user_id: z.string().min(1).max(128).optional(),
  })
  .refine((r) => r.expires_in_days == null || r.expires_at == null, 'give expires_in_days or expires_at, not both')
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>

/** The one response that carries a token's plaintext: 64 hex characters (256 bits). */
export const CreatedToken = TokenInfo.extend({ token: z.string() })
export type CreatedToken = z.infer<typeof CreatedToken>

/** `POST /api/admin/users`: the new user and its first token, shown once. */
export const CreatedUser = User.extend({ token: z.string(), token_id: z.string() })

export type CreatedUser = z.infer<typeof CreatedUser>
export const TokenRevoked = z.object({ id: z.string(), status: z.literal('revoked') })

// --- usage ---

export const UsagePeriod = z.enum(['day', 'week', 'month'])
export type UsagePeriod = z.infer<typeof UsagePeriod>

export const UsageQuery = z.object({
  user_id: z.string().min(1).max(128).optional(),
  period: UsagePeriod.default('day'),
})

export const UsageRow = z.object({
  user_id: z.string(),
  model: z.string(),
  call_count: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  /** US dollars, 6-decimal string. */
  total_cost: z.string(),
})

/** Per user and model (`usage`, the upstream shape) and per user (`users`), over the period. */
export type UsageRow = z.infer<typeof UsageRow>
export const UsageReport = z.object({
  period: UsagePeriod,
  since: z.string(),
  usage: z.array(UsageRow),
  users: z.array(UsageRow.omit({ model: true }).extend({ display_name: z.string().nullable() })),
})

// --- secrets ---

/** Lower-cased before validation; letters, digits, `_`, `.`, `-`. */
export type UsageReport = z.infer<typeof UsageReport>
export const SecretName = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'secret names are 1-64 of a-z, 0-9, _ . - (starting with a letter or digit)'))

export const SecretInfo = z.object({
  name: z.string(),
  provider: z.string().nullable(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
})
export type SecretInfo = z.infer<typeof SecretInfo>

export const SecretList = z.object({ user_id: z.string(), secrets: z.array(SecretInfo) })

export const PutSecretRequest = z.object({
  value: z.string().min(1).max(64 * 1024),
  provider: z.string().trim().min(1).max(64).nullable().optional(),
  expires_in_days: z.number().int().min(1).max(3650).nullable().optional(),
})

export const SecretStored = z.object({ user_id: z.string(), name: z.string(), status: z.enum(['created', 'updated']) })
export const SecretDeleted = z.object({ user_id: z.string(), name: z.string(), deleted: z.literal(true) })

/** `/api/admin/users/{id}`. */
export const UserIdParam = z.object({ id: z.string().min(1).max(128) })
/** `/api/admin/users/{user_id}/secrets` and `.../{name}`. */
export const SecretUserParam = z.object({ user_id: z.string().min(1).max(128) })
export const SecretParam = SecretUserParam.extend({ name: SecretName })
/** `/api/tokens/{id}`. */
export const TokenIdParam = z.object({ id: z.uuid() })
export type TokenList = z.infer<typeof TokenList>
export type UserList = z.infer<typeof UserList>
export type SecretList = z.infer<typeof SecretList>
export type TokenRevoked = z.infer<typeof TokenRevoked>
export type UserDeleted = z.infer<typeof UserDeleted>
export type UserStatusChanged = z.infer<typeof UserStatusChanged>
export type SecretStored = z.infer<typeof SecretStored>
export type SecretDeleted = z.infer<typeof SecretDeleted>
