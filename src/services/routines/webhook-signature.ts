import { constantTimeEqual, fromHex, hmacSha256Hex } from '../../lib/crypto'

/** How far a delivery's timestamp may be from our clock, either way (replays older than this fail). */
const WEBHOOK_REPLAY_WINDOW_MS = 5 * 60_000

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'invalid'

/**
 * A delivery is `X-Webhook-Timestamp: <unix seconds>` and
 * `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the secret>`
 * (the scheme Stripe and Slack use). Binding the timestamp stops old deliveries being replayed
 * after the window; the caller also refuses a signature it has already seen within it.
 */
export async function checkSignature(secret: string, delivery: { timestamp: string | undefined; signature: string | undefined; body: string }, nowMs: number): Promise<SignatureCheck> {
  const { timestamp, signature } = delivery
  if (!timestamp || !signature) return 'missing'
  if (!/^\d{1,12}$/.test(timestamp)) return 'invalid'
  if (Math.abs(nowMs - Number(timestamp) * 1000) > WEBHOOK_REPLAY_WINDOW_MS) return 'stale'
  const given = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim())?.[1]
  if (!given) return 'invalid'
  const expected = await signWebhook(secret, timestamp, delivery.body)
  return constantTimeEqual(fromHex(expected), fromHex(given.toLowerCase())) ? 'ok' : 'invalid'
}

/** The hex signature of a delivery (senders compute the same; tests use it). */
export const signWebhook = (secret: string, timestamp: string, body: string): Promise<string> => hmacSha256Hex(secret, `${timestamp}.${body}`)
