import type { PairingRequest } from '../../protocol/pairing'

/** What a channel learns when an unknown sender writes to it. */
export type PairingOutcome =
  /** The sender is paired: route its messages to `userId`. */
  | { status: 'approved'; userId: string }
  /** Show the sender this code and ask them to have an admin approve it. */
  | { status: 'pending'; code: string; expiresAt: string; created: boolean }
  /** Too many pending requests on this channel; try later. */
  | { status: 'full' }

export interface PairingApproval {
  channel: string
  senderId: string
  userId: string
  approvedBy: string
  approvedAt: string
}

/**
 * Pairing of messaging-channel senders (Telegram, Slack, ...) with gateway users. A channel calls
 * `request` when an unknown sender writes; the sender gets a short code; an admin approves it
 * with `POST /api/pairing/{channel}/approve`; from then on `lookup` maps the sender to a user.
 */
export interface PairingPort {
  request(channel: string, senderId: string, meta?: Record<string, unknown>): Promise<PairingOutcome>
  /** Pending, unexpired requests of a channel, oldest first. */
  list(channel: string): Promise<PairingRequest[]>
  /** Approves a pending request by code; null when no such code is pending (unknown or expired). */
  approve(channel: string, code: string, approvedBy: string, userId?: string): Promise<PairingApproval | null>
  lookup(channel: string, senderId: string): Promise<PairingApproval | undefined>
  /** Removes a sender's pairing. */
  unpair(channel: string, senderId: string): Promise<boolean>
}
