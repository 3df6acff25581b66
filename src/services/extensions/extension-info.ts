import type { ActivationStatus, ExtensionInfo, ExtensionManifest } from '../../protocol/extensions'
import type { Assessment } from './extension-credentials'
import type { InstallRecord } from './extension-rows'
import type { LiveExtension } from './extension-runtime'

/** How an installed extension looks in `GET /api/extensions`. */
export function toExtensionInfo(record: InstallRecord, manifest: ExtensionManifest, state: Assessment, live: LiveExtension | undefined): ExtensionInfo {
  const needsSetup = state.missingSecrets.length > 0 || state.missingFields.length > 0 || state.tokenMissing
  const authenticated = !needsSetup && !state.oauthMissing
  let status: ActivationStatus
  if (live) status = live.status
  else if (!authenticated) status = 'installed'
  else status = record.enabled && record.last_error ? 'failed' : 'configured'
  const error = live?.status === 'failed' ? live.error : status === 'failed' ? (record.last_error ?? undefined) : undefined
  return {
    name: record.name,
    display_name: manifest.display_name,
    kind: 'mcp_server',
    description: manifest.description || null,
    ...(manifest.transport.type === 'http' ? { url: manifest.transport.url } : {}),
    transport: manifest.transport.type,
    source: record.source,
    authenticated,
    active: live?.status === 'active',
    tools: live?.status === 'active' ? live.tools.map((t) => t.name) : [],
    needs_setup: needsSetup,
    has_auth: Boolean(manifest.oauth || manifest.auth || manifest.secrets.length > 0),
    activation_status: status,
    ...(error ? { activation_error: error } : {}),
    ...(manifest.version ? { version: manifest.version } : {}),
  }
}
