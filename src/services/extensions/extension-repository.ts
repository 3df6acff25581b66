import { type Clock, isoNow, toIso } from '../../lib/time'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { Db } from '../../store/database'
import { type InstallRecord, type OAuthFlowRecord, toInstall } from './extension-rows'

/** The SQL of the extensions domain (installs and OAuth flows); plain typed objects out. */
export class ExtensionRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(userId: string): Promise<InstallRecord[]> {
    const rows = await this.db.selectFrom('extension_installs').selectAll().where('user_id', '=', userId).orderBy('name').execute()
    return rows.flatMap(toInstall)
  }

  async get(userId: string, name: string): Promise<InstallRecord | undefined> {
    const row = await this.db.selectFrom('extension_installs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst()
    return row ? toInstall(row)[0] : undefined
  }

  /** Installs that should be running (for reconnecting after a restart). */
  async enabled(): Promise<InstallRecord[]> {
    const rows = await this.db.selectFrom('extension_installs').selectAll().where('enabled', '=', true).orderBy('created_at').execute()
    return rows.flatMap(toInstall)
  }

  /** Inserts an install; false when the user already has one of that name. */
  async insert(userId: string, name: string, source: 'registry' | 'custom', manifest: ExtensionManifest): Promise<boolean> {
    const now = isoNow(this.clock)
    const result = await this.db
      .insertInto('extension_installs')
      .values({ id: crypto.randomUUID(), user_id: userId, name, source, manifest: JSON.stringify(manifest), config: '{}', enabled: false, last_error: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'name']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }

  async update(userId: string, name: string, patch: { config?: Record<string, string>; enabled?: boolean; last_error?: string | null; manifest?: ExtensionManifest }): Promise<void> {
    await this.db
      .updateTable('extension_installs')
      .set({
        updated_at: isoNow(this.clock),
        ...(patch.config !== undefined ? { config: JSON.stringify(patch.config) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.last_error !== undefined ? { last_error: patch.last_error } : {}),
        ...(patch.manifest !== undefined ? { manifest: JSON.stringify(patch.manifest) } : {}),
      })
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .execute()
  }

  async delete(userId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('extension_installs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  /**
   * Stores a pending OAuth sign-in; drops expired ones and keeps at most `cap` (the oldest go),
   * so a flood of sign-in starts cannot grow the table.
   */
  async addFlow(stateHash: string, flow: OAuthFlowRecord, cap: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('extension_oauth_flows').where('expires_at', '<=', isoNow(this.clock)).execute()
      await tx
        .insertInto('extension_oauth_flows')
        .values({ state_hash: stateHash, ...flow })
        .execute()
      const excess = await tx
        .selectFrom('extension_oauth_flows')
        .select('state_hash')
        .orderBy('created_at', 'desc')
        .orderBy('state_hash')
        .offset(cap)
        .limit(1_000_000)
        .execute()
      if (excess.length > 0) await tx.deleteFrom('extension_oauth_flows').where('state_hash', 'in', excess.map((r) => r.state_hash)).execute()
    })
  }

  /** Removes and returns a flow in one statement: a state can be used once, even by racing callbacks. */
  async takeFlow(stateHash: string): Promise<OAuthFlowRecord | undefined> {
    const row = await this.db.deleteFrom('extension_oauth_flows').where('state_hash', '=', stateHash).returningAll().executeTakeFirst()
    if (!row) return undefined
    const { state_hash: _, ...flow } = row
    return flow
  }

  /** Cancels a user's pending sign-ins for one extension (or all of them). */
  async dropFlows(userId: string, extension?: string): Promise<number> {
    let q = this.db.deleteFrom('extension_oauth_flows').where('user_id', '=', userId)
    if (extension !== undefined) q = q.where('extension', '=', extension)
    return Number((await q.executeTakeFirst()).numDeletedRows)
  }

  async countFlows(): Promise<number> {
    const row = await this.db.selectFrom('extension_oauth_flows').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('extension_installs').where('user_id', '=', userId).execute()
    await this.dropFlows(userId)
  }

  expiry(ms: number): string {
    return toIso(this.clock.now() + ms)
  }
}
