import { z } from 'zod'
import { type Clock, isoNow, toIso } from '../../lib/time'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { Db } from '../../store/database'
import { parseManifest } from './manifest'

/** An installed extension as the service sees it. */
export interface InstallRecord {
  id: string
  userId: string
  name: string
  source: 'registry' | 'custom'
  manifest: ExtensionManifest
  config: Record<string, string>
  enabled: boolean
  lastError: string | null
  createdAt: string
}

/** A pending OAuth sign-in, as stored (hashes only). */
export interface OAuthFlowRecord {
  userId: string
  extension: string
  codeVerifier: string
  redirectUri: string
  redirectAfter: string
  browserHash: string
  createdAt: string
  expiresAt: string
}

const Config = z.record(z.string(), z.string()).catch({})

/** The SQL of the extensions domain (installs and OAuth flows); plain typed objects out. */
export class ExtensionRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(userId: string): Promise<InstallRecord[]> {
    const rows = await this.db.selectFrom('extension_installs').selectAll().where('user_id', '=', userId).orderBy('name').execute()
    return rows.flatMap(toRecord)
  }

  async get(userId: string, name: string): Promise<InstallRecord | undefined> {
    const row = await this.db.selectFrom('extension_installs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst()
    return row ? toRecord(row)[0] : undefined
  }

  /** Installs that should be running (for reconnecting after a restart). */
  async enabled(): Promise<InstallRecord[]> {
    const rows = await this.db.selectFrom('extension_installs').selectAll().where('enabled', '=', true).orderBy('created_at').execute()
    return rows.flatMap(toRecord)
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

  async update(userId: string, name: string, patch: { config?: Record<string, string>; enabled?: boolean; lastError?: string | null; manifest?: ExtensionManifest }): Promise<void> {
    await this.db
      .updateTable('extension_installs')
      .set({
        updated_at: isoNow(this.clock),
        ...(patch.config !== undefined ? { config: JSON.stringify(patch.config) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.lastError !== undefined ? { last_error: patch.lastError } : {}),
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
        .values({
          state_hash: stateHash,
          user_id: flow.userId,
          extension: flow.extension,
          code_verifier: flow.codeVerifier,
          redirect_uri: flow.redirectUri,
          redirect_after: flow.redirectAfter,
          browser_hash: flow.browserHash,
          created_at: flow.createdAt,
          expires_at: flow.expiresAt,
        })
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
    return {
      userId: row.user_id,
      extension: row.extension,
      codeVerifier: row.code_verifier,
      redirectUri: row.redirect_uri,
      redirectAfter: row.redirect_after,
      browserHash: row.browser_hash,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }
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

function toRecord(row: {
  id: string
  user_id: string
  name: string
  source: string
  manifest: string
  config: string
  enabled: boolean
  last_error: string | null
  created_at: string
}): InstallRecord[] {
  let manifest: ExtensionManifest
  try {
    manifest = parseManifest(JSON.parse(row.manifest))
  } catch {
    return []
  }
  let config: Record<string, string> = {}
  try {
    config = Config.parse(JSON.parse(row.config))
  } catch {
    config = {}
  }
  return [
    {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      source: row.source === 'custom' ? 'custom' : 'registry',
      manifest,
      config,
      enabled: row.enabled,
      lastError: row.last_error,
      createdAt: row.created_at,
    },
  ]
}
