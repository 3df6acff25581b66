import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { ExtensionInstallsTable, ExtensionOAuthFlowsTable } from '../../store/tables/extensions'
import { parseManifest } from './manifest'

/**
 * An installed extension: its `extension_installs` row with the manifest and the setup fields
 * parsed. Records keep the columns' names, so this file is the one mapping between the two.
 */
export type InstallRecord = Omit<Selectable<ExtensionInstallsTable>, 'source' | 'manifest' | 'config' | 'updated_at'> & {
  source: 'registry' | 'custom'
  manifest: ExtensionManifest
  config: Record<string, string>
}

/** A pending OAuth sign-in, as stored (hashes only). */
export type OAuthFlowRecord = Omit<Selectable<ExtensionOAuthFlowsTable>, 'state_hash'>

const Config = z.record(z.string(), z.string()).catch({})

/** The install, or none when its stored manifest no longer parses (it is then left out of every list). */
export function toInstall({ updated_at: _, ...row }: Selectable<ExtensionInstallsTable>): InstallRecord[] {
  let manifest: ExtensionManifest
  try {
    manifest = parseManifest(JSON.parse(row.manifest))
  } catch {
    return []
  }
  let config: Record<string, string>
  try {
    config = Config.parse(JSON.parse(row.config))
  } catch {
    config = {}
  }
  return [{ ...row, source: row.source === 'custom' ? 'custom' : 'registry', manifest, config, enabled: Boolean(row.enabled) }]
}
