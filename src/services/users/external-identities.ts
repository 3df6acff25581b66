import { GatewayError } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
import type { Role } from '../../protocol/users'
import type { Db } from '../../store/database'
import type { AccessRevocation } from './access-revocation'
import type { ExternalIdentitiesPort } from './port'

export interface ExternalProfile {
  displayName?: string | null | undefined
  email?: string | null | undefined
  /** The role the provider's claim maps to; null = keep the stored one (or `defaultRole` when new). */
  role?: Role | null | undefined
}

/**
 * Users who sign in from outside (a trusted proxy's header, an OIDC provider), found by
 * `(provider, subject)` and created on first sight. A suspended account is refused, never
 * re-created under another id; the owner's role is never changed by a claim.
 */
export class ExternalIdentities implements ExternalIdentitiesPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly revocation: AccessRevocation,
    private readonly ownerId: string,
  ) {}

  async signIn(provider: string, subject: string, profile: ExternalProfile, defaultRole: Role): Promise<{ userId: string; created: boolean }> {
    const known = await this.db.selectFrom('external_identities').select('user_id').where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst()
    if (known) {
      const user = await this.db.selectFrom('users').select(['id', 'status', 'role']).where('id', '=', known.user_id).executeTakeFirst()
      if (user) {
        if (user.status !== 'active') throw new GatewayError(403, 'account_suspended', 'This account is suspended; ask an admin of the gateway')
        if (profile.role && profile.role !== user.role && user.id !== this.ownerId) {
          await this.db.updateTable('users').set({ role: profile.role, updated_at: isoNow(this.clock) }).where('id', '=', user.id).execute()
          await this.revocation.refresh(user.id)
        }
        return { userId: user.id, created: false }
      }
      // The account was deleted: its identity row goes too, and the person starts afresh.
      await this.db.deleteFrom('external_identities').where('provider', '=', provider).where('subject', '=', subject).execute()
    }
    const now = isoNow(this.clock)
    const id = crypto.randomUUID()
    const email = profile.email ? await this.#freeEmail(profile.email.toLowerCase()) : null
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('users').values({
        id, email, display_name: profile.displayName?.slice(0, 100) || subject.slice(0, 100), status: 'active', role: profile.role ?? defaultRole,
        metadata: JSON.stringify({ sign_in: provider === 'proxy' ? 'trusted_proxy' : 'oidc' }), created_by: null, created_at: now, updated_at: now, last_login_at: now,
      }).execute()
      await tx.insertInto('external_identities').values({ provider, subject, user_id: id, created_at: now }).execute()
    }).catch(async (error: unknown) => {
      // Two first sign-ins at once: the other one created the account; use it.
      const raced = await this.db.selectFrom('external_identities').select('user_id').where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst()
      if (!raced) throw error
    })
    const row = await this.db.selectFrom('external_identities').select('user_id').where('provider', '=', provider).where('subject', '=', subject).executeTakeFirstOrThrow()
    return { userId: row.user_id, created: row.user_id === id }
  }

  async #freeEmail(email: string): Promise<string | null> {
    if (email.length > 254) return null
    const taken = await this.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
    return taken ? null : email
  }
}
