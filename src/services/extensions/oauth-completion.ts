import { errorMessage } from '../../lib/errors'
import type { AppEvent } from '../../protocol/events'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { ExtensionCredentials } from './extension-credentials'
import type { ExtensionRepository } from './extension-repository'
import type { InstallRecord } from './extension-rows'
import type { TokenSet } from './oauth'
import { OAuthCallbackError, type OAuthFlows } from './oauth-flows'
import type { ActionResult, OAuthOutcome } from './port'

export interface OAuthCompletionDeps {
  repo: ExtensionRepository
  flows: OAuthFlows
  credentials: ExtensionCredentials
  /** The manifest an install runs under (the registry's current one for a registry install). */
  manifest: (record: InstallRecord) => ExtensionManifest
  /** Activates an install non-interactively (nothing more is asked in chat). */
  activate: (userId: string, record: InstallRecord) => Promise<ActionResult>
  /** Sends an event to one user's streams (never throws). */
  notify: (userId: string, event: AppEvent) => Promise<void>
}

/**
 * Finishes an OAuth sign-in the provider redirected back: checks the flow (state, browser
 * cookie), exchanges the code, stores the tokens and activates the extension. Every outcome
 * reaches the flow's user as `auth_completed` and the browser as a result page.
 */
export async function completeOAuthFlow(
  deps: OAuthCompletionDeps,
  input: { state?: string | undefined; code?: string | undefined; error?: string | undefined },
  cookie: (name: string) => string | undefined,
): Promise<OAuthOutcome> {
  const failed = (message: string, redirectAfter = '/'): OAuthOutcome => ({ ok: false, title: 'Authorization Failed', message, redirectAfter })
  if (!input.state) return failed('The sign-in link is incomplete (no state).')
  let flow
  try {
    flow = await deps.flows.take(input.state, cookie)
  } catch (error) {
    if (!(error instanceof OAuthCallbackError)) throw error
    if (error.flow) await deps.notify(error.flow.user_id, { type: 'auth_completed', extension_name: error.flow.extension, success: false, message: error.message })
    return failed(error.message, error.flow?.redirect_after)
  }
  const finish = async (ok: boolean, message: string, title: string): Promise<OAuthOutcome> => {
    await deps.notify(flow.user_id, { type: 'auth_completed', extension_name: flow.extension, success: ok, message })
    return { ok, title, message, redirectAfter: flow.redirect_after }
  }
  if (input.error) return finish(false, `The provider did not authorize the sign-in (${input.error.slice(0, 100)}).`, 'Authorization Failed')
  if (!input.code) return finish(false, 'The provider sent no authorization code.', 'Authorization Failed')
  const record = await deps.repo.get(flow.user_id, flow.extension)
  const oauth = record ? deps.manifest(record).oauth : undefined
  if (!record || !oauth) return finish(false, `'${flow.extension}' is no longer installed.`, 'Authorization Failed')
  let tokens: TokenSet
  try {
    tokens = await deps.flows.exchange(oauth, flow, input.code)
  } catch (error) {
    return finish(false, `Signing in failed: ${errorMessage(error)}`, 'Authorization Failed')
  }
  await deps.credentials.storeTokens(flow.user_id, record.name, oauth.token_secret, tokens)
  const title = `${deps.manifest(record).display_name} Connected`
  try {
    const result = await deps.activate(flow.user_id, record)
    if (result.status === 200) return finish(true, `${deps.manifest(record).display_name} authenticated successfully. ${result.body.message}`, title)
    return finish(false, `${deps.manifest(record).display_name} authenticated successfully, but it is not active yet: ${result.body.message}`, title)
  } catch (error) {
    return finish(false, `${deps.manifest(record).display_name} authenticated successfully. Activation failed: ${errorMessage(error)}. Try activating manually.`, title)
  }
}
