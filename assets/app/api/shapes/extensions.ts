/** Skills and extensions (contract §10-§11). */
// ---- skills (§11) ----
export interface SkillInfo {
  name: string
  description: string
  version: string
  trust: string
  /** Where it is installed: the user's own, or shared by an admin. */
  source: { kind: string; relative_path: string } | string
  keywords: string[]
}
export interface SkillCatalogEntry {
  slug: string
  name: string
  description: string
  version: string | null
  score?: number | null
  updatedAt?: number | null
  stars?: number | null
  downloads?: number | null
  owner?: string | null
  installed?: boolean
}
export interface SkillSearchResult {
  catalog: SkillCatalogEntry[]
  installed: SkillInfo[]
  registry_url?: string
  catalog_error?: string
}

// ---- extensions (§10) ----
export interface ExtensionInfo {
  name: string
  display_name?: string
  kind: string
  description: string | null
  url?: string
  authenticated: boolean
  active: boolean
  tools: string[]
  needs_setup: boolean
  has_auth: boolean
  activation_status?: string
  activation_error?: string
  version?: string
}
export interface RegistryEntry {
  name: string
  display_name: string
  kind: string
  description: string
  keywords: string[]
  installed: boolean
  version?: string
}
export interface SetupField {
  name: string
  prompt: string
  optional: boolean
  provided: boolean
  auto_generate?: boolean
  input_type?: 'text' | 'password'
}
export interface ExtensionSetup {
  name: string
  kind: string
  secrets: SetupField[]
  fields: SetupField[]
}
export interface ToolInfo {
  name: string
  description: string
  /** `builtin`, `memory`, `extension:<name>`... */
  source?: string
  requires_approval?: boolean
}
