import { z } from 'zod'
import { ActionResponse } from './errors'

/** Channel names: lowercase letters, digits, `_`, `-` (64 at most). */
export const PairingChannel = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'channel names are 1-64 of a-z 0-9 _ -')

export const PairingRequest = z.object({
  code: z.string(),
  sender_id: z.string(),
  meta: z.record(z.string(), z.unknown()).optional(),
  created_at: z.string(),
  expires_at: z.string(),
})
export type PairingRequest = z.infer<typeof PairingRequest>

export const PairingList = z.object({ channel: z.string(), requests: z.array(PairingRequest) })

export const ApprovePairingRequest = z.object({
  /** Trimmed and upper-cased before the lookup. */
  code: z.string().max(64),
  /** Whose messages the sender's become (default: the approving admin). */
  user_id: z.string().min(1).max(128).optional(),
})

export const PairingApproved = ActionResponse.extend({ sender_id: z.string().optional(), user_id: z.string().optional() })

/** `/api/pairing/{channel}`. */
export const PairingChannelParam = z.object({ channel: PairingChannel })
export type PairingList = z.infer<typeof PairingList>
export type PairingApproved = z.infer<typeof PairingApproved>
