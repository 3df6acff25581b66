import { actionFailure } from '../../lib/errors'
import { ExtensionName, type ExtensionInstallRequest, type ExtensionManifest } from '../../protocol/extensions'
import type { Role } from '../../protocol/users'
import type { ExtensionCatalog } from './extension-catalog'
import { ManifestError, parseManifest } from './manifest'

/** An extension name from a path or request, or a 400 that quotes (a bounded part of) it. */
export function parseExtensionName(name: string): string {
  const parsed = ExtensionName.safeParse(name)
  if (!parsed.success) throw actionFailure(400, 'invalid_extension_name', `Not a valid extension name: ${JSON.stringify(name.slice(0, 80))}`)
  return parsed.data
}

/**
 * The manifest an install request names, and where it came from. A custom manifest or URL runs
 * a command on this host or reaches a URL from it, so only admins may give one; a registry entry
 * may itself be limited to admins.
 */
export function resolveInstallManifest(
  request: ExtensionInstallRequest,
  role: Role,
  catalog: ExtensionCatalog,
): { manifest: ExtensionManifest; source: 'registry' | 'custom' } {
  if (request.kind !== undefined && request.kind !== 'mcp_server') throw actionFailure(400, 'unsupported_kind', `Only mcp_server extensions exist here, not ${request.kind}`)
  if (request.manifest !== undefined || request.url !== undefined) {
    if (role !== 'admin') {
      throw actionFailure(403, 'forbidden', 'Only admins can install a custom extension (its command would run on this host, its URL is reached from it); install one from the registry')
    }
    let manifest: ExtensionManifest
    try {
      manifest = parseManifest(request.manifest ?? customHttpManifest(request.name, request.url!))
    } catch (error) {
      if (error instanceof ManifestError) throw actionFailure(400, 'invalid_manifest', error.message)
      throw error
    }
    if (manifest.name !== request.name) throw actionFailure(400, 'invalid_manifest', `The manifest is named '${manifest.name}', not '${request.name}'`)
    return { manifest, source: 'custom' }
  }
  const name = parseExtensionName(request.name)
  const entry = catalog.get(name)
  if (!entry) throw actionFailure(404, 'extension_not_found', `'${name}' is not in the extension registry`)
  if (entry.install_policy === 'admins' && role !== 'admin') throw actionFailure(403, 'forbidden', `Only admins can install '${name}'`)
  return { manifest: entry, source: 'registry' }
}

/** A custom install by URL: a Streamable HTTP server with no setup. */
function customHttpManifest(name: string, url: string): unknown {
  let host = url
  try {
    host = new URL(url).host
  } catch {
    // parseManifest reports the bad URL
  }
  return { name, display_name: name, description: `MCP server at ${host}`, transport: { type: 'http', url } }
}
