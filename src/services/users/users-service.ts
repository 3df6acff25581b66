import { z } from 'zod'
import { Role } from '../../protocol/users'
import { conflict, GatewayError } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
import {
  type CreatedToken,
  type CreateUserRequest,
  type UpdateProfileRequest,
  type UpdateUserRequest,
  type User,
  UserStatus,
} from '../../protocol/users'
import type { Db } from '../../store/database'
import type { UsersTable } from '../../store/tables/users'
import type { AccessRevocation } from './access-revocation'
import type { Actor, UsersPort } from './port'
import type { TokenService } from './token-service'

const StoredMetadata = z.record(z.string(), z.unknown()).catch({})

/**
 * Gateway accounts. The owner (`GATEWAY_USER_ID`, authenticated by `GATEWAY_AUTH_TOKEN` without
 * the database) gets a row at start-up so it shows in the user list and has a profile; it is
 * always an active admin. Deleting a user runs every domain's eraser (`deleteUserData`).
 */
export class UsersService implements UsersPort {
  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tokens: TokenService,
    private readonly revocation: AccessRevocation,
    private readonly deleteUserData: (userId: string) => Promise<void>,
    readonly ownerId: string,
  ) {}

  static async open(options: {
    db: Db
    clock: Clock
    tokens: TokenService
    revocation: AccessRevocation
    deleteUserData: (userId: string) => Promise<void>
    ownerId: string
  }): Promise<UsersService> {
    const service = new UsersService(options.db, options.clock, options.tokens, options.revocation, options.deleteUserData, options.ownerId)
    await service.#ensureOwner()
    return service
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map((row) => this.#toUser(row))
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
    return row && this.#toUser(row)
  }

  /** Creates a user and its first API token (the only time its plaintext is shown). */
  async create(input: CreateUserRequest, actor: Actor): Promise<{ user: User; token: CreatedToken }> {
    if (input.email) await this.#assertEmailFree(input.email)
    const now = isoNow(this.clock)
    const row: UsersTable = {
      id: crypto.randomUUID(),
      email: input.email ?? null,
      display_name: input.display_name,
      status: 'active',
      role: input.role,
      metadata: JSON.stringify(input.metadata ?? {}),
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    }
    await this.#write(() => this.db.insertInto('users').values(row).execute())
    // Whoever creates the account saw its first token: it is listed as minted by them.
    const token = await this.tokens.create(row.id, { name: input.token_name ?? 'initial', mintedBy: actor.userId })
    return { user: this.#toUser(row), token }
  }

  /** Admin edit: display name, email, role, metadata (replaced whole). */
  async update(id: string, patch: UpdateUserRequest, actor: Actor): Promise<User | undefined> {
    const current = await this.get(id)
    if (!current) return undefined
    if (patch.role !== undefined && patch.role !== current.role) {
      if (current.is_owner) throw ownerImmutable()
      if (id === actor.userId) throw new GatewayError(409, 'cannot_modify_self', 'You cannot change your own role')
    }
    if (patch.email && patch.email !== current.email) await this.#assertEmailFree(patch.email)
    const changes: Partial<UsersTable> = {}
    if (patch.display_name !== undefined) changes.display_name = patch.display_name
    if (patch.email !== undefined) changes.email = patch.email
    if (patch.role !== undefined) changes.role = patch.role
    if (patch.metadata !== undefined) changes.metadata = JSON.stringify(patch.metadata)
    if (Object.keys(changes).length > 0) {
      changes.updated_at = isoNow(this.clock)
      await this.#write(() => this.db.updateTable('users').set(changes).where('id', '=', id).execute())
      // Cached principals carry the role and name; an admin-only stream of a demoted user ends.
      await this.revocation.refresh(id)
    }
    return this.get(id)
  }

  /** Suspends or re-activates a user. Suspension refuses their tokens at once and closes their streams. */
  async setStatus(id: string, status: UserStatus, actor: Actor): Promise<User | undefined> {
    const current = await this.get(id)
    if (!current) return undefined
    if (status === 'suspended') {
      if (current.is_owner) throw ownerImmutable()
      if (id === actor.userId) throw new GatewayError(409, 'cannot_modify_self', 'You cannot suspend yourself')
    }
    if (current.status !== status) {
      await this.db.updateTable('users').set({ status, updated_at: isoNow(this.clock) }).where('id', '=', id).execute()
    }
    if (status === 'suspended') await this.revocation.user(id)
    else await this.revocation.refresh(id)
    return this.get(id)
  }

  /**
   * Deletes a user and everything they own: first they are locked out (tokens refused, streams
   * closed), then every domain's eraser runs, then the account row goes.
   */
  async delete(id: string, actor: Actor): Promise<boolean> {
    const current = await this.get(id)
    if (!current) return false
    if (current.is_owner) throw ownerImmutable()
    if (id === actor.userId) throw new GatewayError(409, 'cannot_modify_self', 'You cannot delete yourself')
    await this.db.updateTable('users').set({ status: 'suspended', updated_at: isoNow(this.clock) }).where('id', '=', id).execute()
    await this.revocation.user(id)
    await this.deleteUserData(id)
    await this.db.deleteFrom('users').where('id', '=', id).execute()
    return true
  }

  /** Self-service: display name (null clears it) and metadata. */
  async updateProfile(id: string, patch: UpdateProfileRequest): Promise<User | undefined> {
    const changes: Partial<UsersTable> = {}
    if (patch.display_name !== undefined) changes.display_name = patch.display_name
    if (patch.metadata !== undefined) changes.metadata = JSON.stringify(patch.metadata)
    if (Object.keys(changes).length > 0) {
      changes.updated_at = isoNow(this.clock)
      const result = await this.db.updateTable('users').set(changes).where('id', '=', id).executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) return undefined
      await this.revocation.refresh(id)
    }
    return this.get(id)
  }

  async #ensureOwner(): Promise<void> {
    const now = isoNow(this.clock)
    await this.db
      .insertInto('users')
      .values({
        id: this.ownerId,
        email: null,
        display_name: null,
        status: 'active',
        role: 'admin',
        metadata: '{}',
        created_by: null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    // The owner is an admin by configuration, whatever the row says.
    await this.db
      .updateTable('users')
      .set({ role: 'admin', status: 'active' })
      .where('id', '=', this.ownerId)
      .where((eb) => eb.or([eb('role', '!=', 'admin'), eb('status', '!=', 'active')]))
      .execute()
  }

  async #assertEmailFree(email: string): Promise<void> {
    const taken = await this.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
    if (taken) throw emailTaken()
  }

  /** Runs a write; a unique-index race on the email becomes the same 409 as the pre-check. */
  async #write(run: () => Promise<unknown>): Promise<void> {
    try {
      await run()
    } catch (error) {
      if (/unique|duplicate/i.test(error instanceof Error ? error.message : '')) throw emailTaken()
      throw error
    }
  }

  #toUser(row: UsersTable): User {
    const owner = row.id === this.ownerId
    return {
      id: row.id,
      email: row.email,
      display_name: row.display_name,
      status: owner ? 'active' : UserStatus.catch('suspended').parse(row.status),
      role: owner ? 'admin' : Role.catch('member').parse(row.role),
      is_owner: owner,
      created_at: row.created_at,
      updated_at: row.updated_at,
      last_login_at: row.last_login_at,
      created_by: row.created_by,
      metadata: StoredMetadata.parse(safeJson(row.metadata)),
    }
  }
}

const ownerImmutable = () =>
  new GatewayError(409, 'owner_immutable', "The owner's account cannot be suspended, demoted or deleted")
const emailTaken = () => conflict('email_taken', 'Another user has this email address')

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}
