import { getLogger } from '@logtape/logtape'
import { sha256Hex } from '../../lib/crypto'
import { actionFailure, errorMessage } from '../../lib/errors'
import type { AppEvent } from '../../protocol/events'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { DirectoryPort } from '../../ports/directory'
import type { ExtensionCredentials } from './extension-credentials'
import type { ExtensionRepository } from './extension-repository'
import type { InstallRecord } from './extension-rows'
import type { ExtensionRuntime } from './extension-runtime'
import { expandTransport, usesWorkspace } from './manifest'
import { McpAuthError } from './mcp-errors'
import type { OAuthFlows } from './oauth-flows'
import type { ActionResult, FlowContext } from './port'

const log = getLogger(['gateway', 'extensions'])

export interface ExtensionActivationDeps {
  repo: ExtensionRepository
  runtime: ExtensionRuntime
  credentials: ExtensionCredentials
  flows: OAuthFlows
  workspaces: DirectoryPort | undefined
  /** Sends an event to one user's streams (never throws). */
  notify: (userId: string, event: AppEvent) => Promise<void>
  maxActivePerUser: number
}

/**
 * Starting an extension: checks its setup and credentials, asks the user for what is missing (a
 * token in chat, an OAuth sign-in), builds the transport from the manifest and the user's
 * secrets, and connects. Every outcome is also an event on the user's own streams.
 */
export class ExtensionActivation {
  constructor(private readonly deps: ExtensionActivationDeps) {}

  /**
   * 200 active; 202 waiting for the user (`auth_required` goes to their streams when
   * `interactive`); 409 missing setup; 502 the server failed to start or refused the credentials.
   */
  async activate(userId: string, record: InstallRecord, manifest: ExtensionManifest, ctx: FlowContext, interactive: boolean): Promise<ActionResult> {
    const { runtime, credentials } = this.deps
    const name = record.name
    const state = await credentials.assess(userId, record, manifest)
    const missing = [...state.missingSecrets, ...state.missingFields]
    if (missing.length > 0) {
      throw actionFailure(409, 'extension_needs_setup', `'${name}' needs configuration before it can be activated: ${missing.join(', ')}`, { activated: false })
    }
    if (state.tokenMissing && manifest.auth) {
      if (interactive) await this.#askForToken(userId, name, manifest)
      return { status: 202, body: { success: false, activated: false, awaiting_token: true, instructions: manifest.auth.instructions, message: manifest.auth.instructions } }
    }
    if (state.oauthMissing && manifest.oauth) return this.startOAuth(userId, name, manifest, ctx)
    if (runtime.get(userId, name)?.status !== 'active' && runtime.activeCount(userId) >= this.deps.maxActivePerUser) {
      throw actionFailure(409, 'extension_limit_reached', `At most ${this.deps.maxActivePerUser} extensions can be active at once; remove one first`, { activated: false })
    }
    await credentials.generateMissing(userId, name, manifest, state)
    let workspace = ''
    if (usesWorkspace(manifest.transport)) {
      if (!this.deps.workspaces) throw actionFailure(503, 'extension_workspace_unavailable', `'${name}' needs a workspace folder, which this runtime cannot provide`, { activated: false })
      workspace = await this.deps.workspaces.ensureDir(`users/${await sha256Hex(userId)}/${name}`)
    }
    const spec = expandTransport(manifest.transport, { secrets: state.secrets, fields: state.fields, workspace })
    if (manifest.oauth && spec.type === 'http' && !Object.keys(spec.headers).some((h) => h.toLowerCase() === 'authorization')) {
      spec.headers.Authorization = `Bearer ${state.secrets[manifest.oauth.token_secret]}`
    }
    try {
      const live = await runtime.start(userId, name, manifest, spec, workspace || undefined)
      await this.deps.repo.update(userId, name, { enabled: true, last_error: null })
      const message = `'${name}' is active with ${live.tools.length} tool${live.tools.length === 1 ? '' : 's'}`
      await this.deps.notify(userId, { type: 'extension_status', extension_name: name, status: 'active', message })
      return { status: 200, body: { success: true, activated: true, message } }
    } catch (error) {
      const reason = errorMessage(error)
      log.info('extension {name} of user {userId} failed to start: {reason}', { name, userId, reason })
      await this.deps.repo.update(userId, name, { last_error: reason })
      await this.deps.notify(userId, { type: 'extension_status', extension_name: name, status: 'failed', message: reason })
      if (error instanceof McpAuthError) {
        if (manifest.oauth && ctx.callbackUrl) {
          // The stored token was refused: sign in again.
          await credentials.port().delete(userId, manifest.oauth.token_secret)
          return this.startOAuth(userId, name, manifest, ctx)
        }
        if (interactive && manifest.auth) await this.#askForToken(userId, name, manifest)
        throw actionFailure(502, 'extension_auth_rejected', `Activation failed: ${reason}`, { activated: false })
      }
      throw actionFailure(502, 'extension_activation_failed', `Activation failed: ${reason}`, { activated: false })
    }
  }

  /** Starts an OAuth sign-in (202 with `auth_url` and the browser-binding cookie). */
  async startOAuth(userId: string, name: string, manifest: ExtensionManifest, ctx: FlowContext): Promise<ActionResult> {
    if (!ctx.callbackUrl || !manifest.oauth) {
      throw actionFailure(409, 'extension_needs_auth', `'${name}' requires authentication: sign in from its setup page in the web app`, { activated: false })
    }
    const { authUrl, cookie } = await this.deps.flows.start(userId, name, manifest.oauth, ctx.callbackUrl, ctx.redirectAfter, ctx.secure ?? false)
    await this.deps.notify(userId, { type: 'auth_required', extension_name: name, auth_url: authUrl, instructions: `Sign in to ${manifest.display_name} to finish setting it up.` })
    return { status: 202, body: { success: false, activated: false, auth_url: authUrl, message: `'${name}' requires authentication.` }, cookie }
  }

  async #askForToken(userId: string, name: string, manifest: ExtensionManifest): Promise<void> {
    const auth = manifest.auth!
    await this.deps.notify(userId, { type: 'auth_required', extension_name: name, instructions: auth.instructions, ...(auth.setup_url ? { setup_url: auth.setup_url } : {}) })
  }
}
