import { z } from 'zod'
import { type Clock, isoNow } from '../../lib/time'
import type { PairingRequest } from '../../protocol/pairing'
import type { Db } from '../../store/database'
import type { PairingOutcome, PairingApproval, PairingPort } from './port'

/** Unambiguous characters only (no 0/O, 1/I): codes are read off a phone and typed in. */
export const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const PAIRING_CODE_LENGTH = 8
export const PAIRING_TTL_MS = 15 * 60_000
/** Pending requests per channel; more wait until one is approved or expires. */
export const MAX_PENDING_PER_CHANNEL = 3

const Meta = z.record(z.string(), z.unknown()).nullable().catch(null)

/** Pairing requests and approvals in the database (so they survive restarts and span instances). */
export class PairingService implements PairingPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async request(channel: string, senderId: string, meta?: Record<string, unknown>): Promise<PairingOutcome> {
    const approved = await this.lookup(channel, senderId)
    if (approved) return { status: 'approved', userId: approved.userId }
    await this.#prune(channel)
    const pending = await this.db.selectFrom('pairing_requests').select(['code', 'sender_id', 'expires_at']).where('channel', '=', channel).execute()
    const mine = pending.find((r) => r.sender_id === senderId)
    if (mine) return { status: 'pending', code: mine.code, expiresAt: mine.expires_at, created: false }
    if (pending.length >= MAX_PENDING_PER_CHANNEL) return { status: 'full' }
    const now = this.clock.now()
    const expiresAt = new Date(now + PAIRING_TTL_MS).toISOString()
    for (let attempt = 0; ; attempt++) {
      const code = pairingCode()
      try {
        await this.db
          .insertInto('pairing_requests')
          .values({
            id: crypto.randomUUID(),
            channel,
            code,
            sender_id: senderId,
            meta: meta === undefined ? null : JSON.stringify(meta),
            created_at: new Date(now).toISOString(),
            expires_at: expiresAt,
          })
          .execute()
        return { status: 'pending', code, expiresAt, created: true }
      } catch (error) {
        // A code collision within one channel (1 in 10^12): draw again.
        if (attempt >= 3) throw error
      }
    }
  }

  async list(channel: string): Promise<PairingRequest[]> {
    const rows = await this.db
      .selectFrom('pairing_requests')
      .select(['code', 'sender_id', 'meta', 'created_at', 'expires_at'])
      .where('channel', '=', channel)
      .where('expires_at', '>', isoNow(this.clock))
      .orderBy('created_at')
      .execute()
    return rows.map((r) => {
      const meta = r.meta === null ? null : Meta.parse(safeJson(r.meta))
      return { code: r.code, sender_id: r.sender_id, ...(meta ? { meta } : {}), created_at: r.created_at, expires_at: r.expires_at }
    })
  }

  async approve(channel: string, code: string, approvedBy: string, userId = approvedBy): Promise<PairingApproval | null> {
    const normalised = code.trim().toUpperCase()
    if (normalised.length !== PAIRING_CODE_LENGTH) return null
    const now = isoNow(this.clock)
    return this.db.transaction().execute(async (trx) => {
      const request = await trx
        .selectFrom('pairing_requests')
        .select(['id', 'sender_id', 'meta'])
        .where('channel', '=', channel)
        .where('code', '=', normalised)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      if (!request) return null
      // Deleting first makes a concurrent approval of the same code find nothing.
      const taken = await trx.deleteFrom('pairing_requests').where('id', '=', request.id).executeTakeFirst()
      if (Number(taken.numDeletedRows) === 0) return null
      await trx
        .insertInto('pairing_approvals')
        .values({ channel, sender_id: request.sender_id, user_id: userId, approved_by: approvedBy, meta: request.meta, approved_at: now })
        .onConflict((oc) => oc.columns(['channel', 'sender_id']).doUpdateSet({ user_id: userId, approved_by: approvedBy, meta: request.meta, approved_at: now }))
        .execute()
      return { channel, senderId: request.sender_id, userId, approvedBy, approvedAt: now }
    })
  }

  async lookup(channel: string, senderId: string): Promise<PairingApproval | undefined> {
    const row = await this.db
      .selectFrom('pairing_approvals')
      .select(['user_id', 'approved_by', 'approved_at'])
      .where('channel', '=', channel)
      .where('sender_id', '=', senderId)
      .executeTakeFirst()
    return row && { channel, senderId, userId: row.user_id, approvedBy: row.approved_by, approvedAt: row.approved_at }
  }

  async unpair(channel: string, senderId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('pairing_approvals').where('channel', '=', channel).where('sender_id', '=', senderId).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('pairing_approvals').where('user_id', '=', userId).execute()
  }

  #prune(channel: string) {
    return this.db.deleteFrom('pairing_requests').where('channel', '=', channel).where('expires_at', '<=', isoNow(this.clock)).execute()
  }
}

/** 8 characters of the alphabet; 256 is a multiple of 32, so `byte & 31` is unbiased. */
export function pairingCode(): string {
  let code = ''
  for (const byte of crypto.getRandomValues(new Uint8Array(PAIRING_CODE_LENGTH))) code += PAIRING_ALPHABET[byte & 31]
  return code
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
