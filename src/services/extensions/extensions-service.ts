import { getLogger } from '@logtape/logtape'
import type { Role } from '../../protocol/users'
import { sha256Hex } from '../../lib/crypto'
import { actionFailure, errorMessage, GatewayError, notFound } from '../../lib/errors'
import type { ActionResponse } from '../../protocol/errors'
import type { AppEvent } from '../../protocol/events'
import type { ExtensionInfo, ExtensionInstallRequest, ExtensionManifest, ExtensionSetup, ExtensionSetupRequest } from '../../protocol/extensions'
import type { DirectoryPort } from '../../ports/directory'
import { ExtensionActivation } from './extension-activation'
import type { ActionResult, ExtensionsPort, FlowContext, OAuthOutcome } from './port'
import type { ExtensionCatalog } from './extension-catalog'
import type { ExtensionCredentials } from './extension-credentials'
import { toExtensionInfo } from './extension-info'
import type { ExtensionRepository } from './extension-repository'
import type { InstallRecord } from './extension-rows'
import type { ExtensionRuntime } from './extension-runtime'
import { parseExtensionName, resolveInstallManifest } from './install-manifest'
import { flowCookieName, type OAuthFlows } from './oauth-flows'
import { completeOAuthFlow, type OAuthCompletionDeps } from './oauth-completion'

const log = getLogger(['gateway', 'extensions'])

export interface ExtensionsServiceDeps {
  repo: ExtensionRepository
  catalog: ExtensionCatalog
  runtime: ExtensionRuntime
  flows: OAuthFlows
  credentials: ExtensionCredentials
  /** Sends an event to one user's streams. */
  publish: (userId: string, event: AppEvent) => Promise<void>
  /** Per-user extension workspaces (`${workspace}`), under `<dataDir>/extensions`. */
  workspaces: DirectoryPort | undefined
  limits: { maxActivePerUser: number }
}

/**
 * Each user's MCP extensions: installed from the registry (or, by admins, from a manifest or
 * URL), configured through the setup wizard (secrets via the secrets port), signed in with a
 * pasted token or OAuth, and run as live MCP connections whose tools join the agent's registry.
 */
export class ExtensionsService implements ExtensionsPort {
  /** Per user, this process's one attempt to reconnect enabled installs (after a restart). */
  readonly #resumed = new Map<string, Promise<void>>()

  readonly #activation: ExtensionActivation
  readonly #oauth: OAuthCompletionDeps

  constructor(private readonly deps: ExtensionsServiceDeps) {
    this.#activation = new ExtensionActivation({
      repo: deps.repo,
      runtime: deps.runtime,
      credentials: deps.credentials,
      flows: deps.flows,
      workspaces: deps.workspaces,
      notify: (userId, event) => this.#event(userId, event),
      maxActivePerUser: deps.limits.maxActivePerUser,
    })
    this.#oauth = {
      repo: deps.repo,
      flows: deps.flows,
      credentials: deps.credentials,
      manifest: (record) => this.#manifest(record),
      activate: (userId, record) => this.#activate(userId, record, {}, false),
      notify: (userId, event) => this.#event(userId, event),
    }
  }

  /** The tools of a user's active extensions, reconnecting enabled ones once after a restart. */
  async tools(userId: string) {
    await this.#resume(userId)
    return this.deps.runtime.tools(userId)
  }

  async list(userId: string): Promise<ExtensionInfo[]> {
    void this.#resume(userId)
    const records = await this.deps.repo.list(userId)
    return Promise.all(
      records.map(async (record) => {
        const manifest = this.#manifest(record)
        return toExtensionInfo(record, manifest, await this.deps.credentials.assess(userId, record, manifest), this.deps.runtime.get(userId, record.name))
      }),
    )
  }

  async registry(userId: string, query: string | undefined) {
    const installed = new Set((await this.deps.repo.list(userId)).map((r) => r.name))
    return this.deps.catalog.search(query).map((m) => ({ ...m, installed: installed.has(m.name) }))
  }

  async install(userId: string, role: Role, request: ExtensionInstallRequest, ctx: FlowContext): Promise<ActionResult> {
    const { manifest, source } = resolveInstallManifest(request, role, this.deps.catalog)
    if (!(await this.deps.repo.insert(userId, manifest.name, source, manifest))) {
      throw actionFailure(409, 'extension_already_installed', `'${manifest.name}' is already installed`)
    }
    const record = (await this.deps.repo.get(userId, manifest.name))!
    const state = await this.deps.credentials.assess(userId, record, manifest)
    const missing = [...state.missingSecrets, ...state.missingFields]
    if (missing.length > 0) {
      return { status: 201, body: { success: true, activated: false, message: `Installed '${manifest.name}'. It needs setup: ${missing.join(', ')}` } }
    }
    try {
      const result = await this.#activate(userId, record, ctx, true)
      return { ...result, status: 201, body: { ...result.body, success: true, message: `Installed '${manifest.name}'. ${result.body.message}` } }
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error
      return { status: 201, body: { success: true, activated: false, message: `Installed '${manifest.name}'. ${error.message}` } }
    }
  }

  async activate(userId: string, name: string, ctx: FlowContext): Promise<ActionResult> {
    return this.#activate(userId, await this.#record(userId, name), ctx, true)
  }

  async remove(userId: string, name: string): Promise<ActionResponse> {
    const record = await this.#record(userId, name)
    await this.deps.runtime.stop(userId, record.name)
    await this.deps.repo.delete(userId, record.name)
    // A sign-in still pending for it must not complete into a removed extension.
    await this.deps.repo.dropFlows(userId, record.name)
    await this.#event(userId, { type: 'extension_status', extension_name: record.name, status: 'removed', message: `Removed '${record.name}'` })
    return { success: true, message: `Removed '${record.name}'` }
  }

  async setupInfo(userId: string, name: string): Promise<ExtensionSetup> {
    const record = await this.#record(userId, name)
    const manifest = this.#manifest(record)
    const state = await this.deps.credentials.assess(userId, record, manifest)
    return {
      name: record.name,
      kind: manifest.kind,
      secrets: manifest.secrets.map((s) => ({ name: s.name, prompt: s.prompt, optional: s.optional, provided: s.name in state.secrets, auto_generate: s.auto_generate, input_type: 'password' as const })),
      fields: manifest.fields.map((f) => ({ name: f.name, prompt: f.prompt, optional: f.optional, provided: Boolean(record.config[f.name]), input_type: 'text' as const })),
      ...(manifest.oauth ? { oauth: { authenticated: !state.oauthMissing } } : {}),
    }
  }

  async setup(userId: string, name: string, request: ExtensionSetupRequest, ctx: FlowContext): Promise<ActionResult> {
    const record = await this.#record(userId, name)
    const manifest = this.#manifest(record)
    const known = new Set(manifest.secrets.map((s) => s.name))
    for (const key of Object.keys(request.secrets)) {
      if (!known.has(key.trim().toLowerCase())) throw actionFailure(400, 'unknown_setup_field', `Unknown secret '${key}' for '${record.name}'`)
    }
    const knownFields = new Set(manifest.fields.map((f) => f.name))
    for (const key of Object.keys(request.fields)) {
      if (!knownFields.has(key)) throw actionFailure(400, 'unknown_setup_field', `Unknown field '${key}' for '${record.name}'`)
    }
    // Empty values keep what is stored (the wizard never shows a secret back).
    const toStore = Object.entries(request.secrets)
      .map(([k, v]) => [k.trim().toLowerCase(), v.trim()] as const)
      .filter(([, v]) => v !== '')
    if (toStore.length > 0) {
      const secrets = this.deps.credentials.port()
      for (const [key, value] of toStore) await secrets.set(userId, key, value, { provider: `extension:${record.name}` })
    }
    const fields = Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''))
    if (Object.keys(fields).length > 0) await this.deps.repo.update(userId, record.name, { config: { ...record.config, ...fields } })
    const fresh = await this.#record(userId, record.name)
    try {
      const result = await this.#activate(userId, fresh, ctx, true)
      if (result.status === 200) await this.#event(userId, { type: 'auth_completed', extension_name: record.name, success: true, message: result.body.message })
      return result
    } catch (error) {
      if (error instanceof GatewayError) await this.#event(userId, { type: 'auth_completed', extension_name: record.name, success: false, message: error.message })
      throw error
    }
  }

  async submitToken(userId: string, name: string, token: string): Promise<ActionResponse> {
    const record = await this.#record(userId, name)
    const manifest = this.#manifest(record)
    const required = manifest.secrets.filter((s) => !s.optional)
    const tokenSecret = manifest.auth?.token_secret ?? (required.length === 1 ? required[0]!.name : undefined)
    if (!tokenSecret) throw actionFailure(400, 'extension_no_token_auth', `'${record.name}' does not take a token; use its setup`)
    await this.deps.credentials.port().set(userId, tokenSecret, token.trim(), { provider: `extension:${record.name}` })
    try {
      const result = await this.#activate(userId, record, {}, false)
      if (result.status !== 200) throw actionFailure(409, 'extension_needs_setup', result.body.message, { activated: false })
      await this.#event(userId, { type: 'auth_completed', extension_name: record.name, success: true, message: result.body.message })
      return result.body
    } catch (error) {
      if (error instanceof GatewayError) {
        await this.#event(userId, { type: 'auth_completed', extension_name: record.name, success: false, message: error.message })
        if (error.code === 'extension_auth_rejected' && manifest.auth) {
          await this.#event(userId, { type: 'auth_required', extension_name: record.name, instructions: manifest.auth.instructions, ...(manifest.auth.setup_url ? { setup_url: manifest.auth.setup_url } : {}) })
        }
      }
      throw error
    }
  }

  async cancelAuth(userId: string, name: string): Promise<void> {
    const record = await this.#record(userId, name)
    await this.deps.repo.dropFlows(userId, record.name)
    await this.#event(userId, { type: 'auth_completed', extension_name: record.name, success: false, message: 'Auth cancelled' })
  }

  async completeOAuth(input: { state?: string | undefined; code?: string | undefined; error?: string | undefined }, cookie: (name: string) => string | undefined): Promise<OAuthOutcome> {
    const outcome = await completeOAuthFlow(this.#oauth, input, cookie)
    // The flow is used up whatever the outcome: its browser binding goes too.
    const state = input.state
    return state && /^[A-Za-z0-9_-]{16,128}$/.test(state) ? { ...outcome, cookie: flowCookieName(await sha256Hex(state)) } : outcome
  }

  async deleteUser(userId: string): Promise<void> {
    await this.deps.runtime.stopUser(userId)
    await this.deps.repo.deleteUser(userId)
    await this.deps.workspaces?.removeDir(`users/${await sha256Hex(userId)}`)
    this.#resumed.delete(userId)
  }

  #activate(userId: string, record: InstallRecord, ctx: FlowContext, interactive: boolean): Promise<ActionResult> {
    return this.#activation.activate(userId, record, this.#manifest(record), ctx, interactive)
  }

  /**
   * Reconnects a user's enabled extensions, once per process (after a restart, or on another
   * instance). Concurrent callers wait for the same attempt, so a turn sees the tools.
   */
  #resume(userId: string): Promise<void> {
    let attempt = this.#resumed.get(userId)
    if (!attempt) {
      attempt = this.#reconnect(userId).catch((error) => log.warn('reconnecting the extensions of {userId} failed: {error}', { userId, error: errorMessage(error) }))
      this.#resumed.set(userId, attempt)
    }
    return attempt
  }

  async #reconnect(userId: string): Promise<void> {
    const records = (await this.deps.repo.list(userId)).filter((r) => r.enabled && !this.deps.runtime.get(userId, r.name))
    await Promise.all(
      records.map((record) =>
        this.#activate(userId, record, {}, false).then(
          (result) => {
            if (result.status !== 200) this.deps.runtime.markFailed(userId, record.name, result.body.message)
          },
          (error) => this.deps.runtime.markFailed(userId, record.name, errorMessage(error)),
        ),
      ),
    )
  }

  /** A registry install follows the current registry entry (fixes reach users); a custom one keeps its own. */
  #manifest(record: InstallRecord): ExtensionManifest {
    return (record.source === 'registry' ? this.deps.catalog.get(record.name) : undefined) ?? record.manifest
  }

  async #record(userId: string, name: string): Promise<InstallRecord> {
    const record = await this.deps.repo.get(userId, parseExtensionName(name))
    if (!record) throw notFound('extension', `'${name}' is not installed`)
    return record
  }

  async #event(userId: string, event: AppEvent): Promise<void> {
    try {
      await this.deps.publish(userId, event)
    } catch (error) {
      log.warn('could not publish {type} for {userId}: {error}', { type: event.type, userId, error: errorMessage(error) })
    }
  }

  /** Called by the runtime when a running server ends on its own. */
  async lost(userId: string, name: string, reason: string): Promise<void> {
    await this.deps.repo.update(userId, name, { last_error: reason }).catch(() => undefined)
    await this.#event(userId, { type: 'extension_status', extension_name: name, status: 'failed', message: `The server stopped: ${reason}. Activate it again to restart it.` })
  }
}
