import { ApiError } from '../../api/client'
import type { ActionResponse } from '../../api/types'
import { safeUrl } from '../../lib/markdown'
import { link } from '../../state/router'
import { errorMessage, toast } from '../../state/toasts'

/**
 * How an extension action (install, activate, setup) ended, read from either side of the wire:
 * a 2xx `ActionResponse` (200 active, 201 installed, 202 waiting for a sign-in or a token), or a
 * failure whose body is an `ActionResponse` with an error code (409: something is needed first;
 * 502: the extension's server failed to start or refused its credentials).
 */
export interface ActionOutcome {
  /** `pending`: waiting for the user (sign in, a token, setup); `blocked`: refused until something changes. */
  state: 'done' | 'pending' | 'blocked' | 'failed'
  message: string
  /** The provider's sign-in page (OAuth). */
  authUrl?: URL | undefined
  verification?: ActionResponse['verification']
  /** The next step is in the setup wizard; the label of the button that opens it. */
  setupLabel?: string | undefined
  needsRestart?: boolean | undefined
}

export function outcomeOf(result: ActionResponse, name: string): ActionOutcome {
  const base = { needsRestart: result.needs_restart, verification: result.verification }
  const authUrl = safeUrl(result.auth_url ?? null) ?? undefined
  if (authUrl) return { ...base, state: 'pending', authUrl, message: `Sign in with the provider to finish activating ${name}.` }
  if (result.awaiting_token) {
    const how = result.instructions?.trim() || result.message
    return { ...base, state: 'pending', setupLabel: 'Enter token', message: `${name} needs a token before it can start. ${how}`.trim() }
  }
  if (result.verification) return { ...base, state: 'pending', message: `${result.verification.instructions} Code: ${result.verification.code}` }
  if (result.success && result.activated === false) return { ...base, state: 'pending', setupLabel: 'Set up', message: result.message }
  if (result.success) return { ...base, state: 'done', message: result.message }
  return { ...base, state: 'failed', message: result.message || `${name}: the action did not complete` }
}

/** A failed action (thrown `ApiError`) as an outcome with a message that says what to do. */
export function failureOf(error: unknown, name: string): ActionOutcome {
  if (!(error instanceof ApiError)) return { state: 'failed', message: errorMessage(error) }
  const reason = error.message.replace(/^Activation failed:\s*/i, '')
  switch (error.code) {
    case 'extension_needs_setup':
      // The server's message names what is missing.
      return { state: 'blocked', setupLabel: 'Set up', message: error.message }
    case 'extension_needs_auth':
      return { state: 'blocked', setupLabel: 'Sign in', message: `${name} needs you to sign in before it can start.` }
    case 'extension_limit_reached':
      return { state: 'blocked', message: error.message }
    case 'extension_auth_rejected':
      return { state: 'failed', setupLabel: 'Check setup', message: `${name} was refused by its service: ${reason}. Check its token or sign in again.` }
    case 'extension_activation_failed':
      return { state: 'failed', message: `${name} could not start: ${reason}` }
  }
  if (error.status === 409) return { state: 'blocked', message: error.message }
  if (error.status === 502) return { state: 'failed', message: `${name}'s server failed: ${reason}` }
  return { state: 'failed', message: error.message }
}

/** Runs an extension action; never throws. */
export async function runAction(name: string, action: () => Promise<ActionResponse>): Promise<ActionOutcome> {
  try {
    return outcomeOf(await action(), name)
  } catch (error) {
    return failureOf(error, name)
  }
}

/** The wizard link for an outcome's next step. */
export const setupLink = (name: string): string => link('/extensions', { setup: name })

/** A toast for an outcome, with its next step (sign-in page or setup wizard) as the action. */
export function reportOutcome(outcome: ActionOutcome, name: string): void {
  const kind = outcome.state === 'done' ? 'success' : outcome.state === 'pending' ? 'info' : 'error'
  const action = outcome.authUrl
    ? { label: 'Open sign-in', href: outcome.authUrl.href }
    : outcome.setupLabel
      ? { label: outcome.setupLabel, href: setupLink(name) }
      : undefined
  toast(outcome.needsRestart ? `${outcome.message} Restart the gateway to finish.` : outcome.message, kind, action)
}
