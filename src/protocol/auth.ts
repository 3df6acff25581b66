import { z } from 'zod'

/** `POST /api/auth/stream-ticket`: which stream the ticket will open (no mount prefix). */
export const StreamTicketRequest = z.object({
  path: z.string().min(1).max(256),
})
export type StreamTicketRequest = z.infer<typeof StreamTicketRequest>

/** A single-use ticket: open the stream with `?ticket=<ticket>` before `expires_at`. */
export const StreamTicket = z.object({
  ticket: z.string(),
  path: z.string(),
  expires_at: z.string(),
})
export type StreamTicket = z.infer<typeof StreamTicket>
