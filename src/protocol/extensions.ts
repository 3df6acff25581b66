import { z } from 'zod'
import { SecretName } from './users'

/**
 * An extension's name: lowercase letters, digits and single `-`, 1-32 characters. No `_`, so the
 * tool namespace separator `__` (`<extension>__<tool>`) is never ambiguous.
 */
export const ExtensionName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'extension names are 1-32 of a-z, 0-9 and -, starting and ending with a letter or digit')
  .refine((s) => !s.includes('--'), 'extension names have no double dash')

const FieldName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'field names are 1-64 of a-z, 0-9 and _, starting with a letter')
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names are letters, digits and _')
const HeaderName = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'header names are letters, digits and -')

/** A secret the user provides in the setup wizard (stored encrypted through the secrets port). */
export const ManifestSecret = z.object({
  name: SecretName,
  prompt: z.string().min(1).max(300),
  optional: z.boolean().default(false),
  /** Generated (random, 256 bits) when the user leaves it empty. */
  auto_generate: z.boolean().default(false),
})

/** A non-secret setting (a directory, a region...), stored with the install. */
export const ManifestField = z.object({
  name: FieldName,
  prompt: z.string().min(1).max(300),
  optional: z.boolean().default(false),
  default: z.string().max(1000).optional(),
})

/**
 * How the MCP server is reached. Values may use `${field:<name>}` and `${workspace}` (the user's
 * private directory for this extension); `${secret:<name>}` only in `env` and `headers`, never in
 * a command line (visible to every local user in `ps`) or a URL (written to logs).
 */
export const McpTransportSpec = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stdio'),
    command: z.string().min(1).max(256),
    args: z.array(z.string().max(1000)).max(64).default([]),
    env: z.record(EnvName, z.string().max(4096)).default({}),
  }),
  z.object({
    type: z.literal('http'),
    /** A Streamable HTTP MCP endpoint. */
    url: z.string().max(2048).refine((u) => /^https?:\/\//.test(u), 'url must be http(s)'),
    headers: z.record(HeaderName, z.string().max(4096)).default({}),
  }),
])
export type McpTransportSpec = z.infer<typeof McpTransportSpec>

/** OAuth 2.0 authorization code flow with PKCE (S256) against the manifest's endpoints. */
export const ManifestOAuth = z.object({
  authorization_url: z.url(),
  token_url: z.url(),
  client_id: z.string().min(1).max(512),
  /** For confidential clients; never sent to a browser. Public clients rely on PKCE alone. */
  client_secret: z.string().max(512).optional(),
  scopes: z.array(z.string().max(200)).max(50).default([]),
  /** Extra query parameters for the authorization URL (`access_type=offline`...). */
  extra_params: z.record(z.string().max(64), z.string().max(500)).default({}),
  /** Where the access token is stored (a refresh token goes to `<name>_refresh`). */
  token_secret: SecretName,
})

/** A token the user pastes into chat (`auth_required` -> `/api/chat/auth-token`). */
export const ManifestTokenAuth = z.object({
  token_secret: SecretName,
  instructions: z.string().min(1).max(1000),
  setup_url: z.url().optional(),
})

export const ExtensionManifest = z.object({
  name: ExtensionName,
  display_name: z.string().min(1).max(80),
  description: z.string().max(1000),
  version: z.string().max(32).optional(),
  keywords: z.array(z.string().max(40)).max(20).default([]),
  kind: z.literal('mcp_server').default('mcp_server'),
  homepage: z.url().optional(),
  transport: McpTransportSpec,
  secrets: z.array(ManifestSecret).max(20).default([]),
  fields: z.array(ManifestField).max(20).default([]),
  auth: ManifestTokenAuth.optional(),
  oauth: ManifestOAuth.optional(),
  tools: z
    .object({
      /** Whether the agent must ask before calling this server's tools (default: always ask). */
      requires_approval: z.boolean().default(true),
      /** Per tool (the server's own tool name): `{ "read_file": { "requires_approval": false } }`. */
      overrides: z.record(z.string().max(128), z.object({ requires_approval: z.boolean() })).default({}),
    })
    .default({ requires_approval: true, overrides: {} }),
  /** `admins`: members may not install it (it reaches the network or host in ways that need trust). */
  install_policy: z.enum(['everyone', 'admins']).default('everyone'),
})
export type ExtensionManifest = z.infer<typeof ExtensionManifest>
export type ExtensionManifestInput = z.input<typeof ExtensionManifest>

export const ActivationStatus = z.enum(['installed', 'configured', 'connecting', 'active', 'failed'])
export type ActivationStatus = z.infer<typeof ActivationStatus>

export const ExtensionInfo = z.object({
  name: z.string(),
  display_name: z.string(),
  kind: z.literal('mcp_server'),
  description: z.string().nullable(),
  /** The endpoint of a Streamable HTTP server. */
  url: z.string().optional(),
  transport: z.enum(['stdio', 'http']),
  /** `registry` (from the catalogue) or `custom` (a manifest or URL an admin supplied). */
  source: z.enum(['registry', 'custom']),
  /** Every credential it needs (secrets, token, OAuth) is present. */
  authenticated: z.boolean(),
  active: z.boolean(),
  /** The agent-facing names of its tools while active (`<extension>__<tool>`). */
  tools: z.array(z.string()),
  /** A required secret or field is missing. */
  needs_setup: z.boolean(),
  has_auth: z.boolean(),
  activation_status: ActivationStatus,
  activation_error: z.string().optional(),
  version: z.string().optional(),
})
export type ExtensionInfo = z.infer<typeof ExtensionInfo>

export const ExtensionList = z.object({ extensions: z.array(ExtensionInfo) })

export const ToolInfo = z.object({
  name: z.string(),
  description: z.string(),
  /** `builtin`, `memory`, `extension:<name>`... */
  source: z.string(),
  /** Whether calling it asks the user first (true also when it asks only for some inputs). */
  requires_approval: z.boolean(),
})
export const ToolList = z.object({ tools: z.array(ToolInfo) })

export const RegistryEntry = z.object({
  name: z.string(),
  display_name: z.string(),
  kind: z.literal('mcp_server'),
  description: z.string(),
  keywords: z.array(z.string()),
  installed: z.boolean(),
  version: z.string().optional(),
  transport: z.enum(['stdio', 'http']),
  /** `admins` when members may not install it. */
  install_policy: z.enum(['everyone', 'admins']),
})
export const RegistryList = z.object({ entries: z.array(RegistryEntry) })
export const RegistryQuery = z.object({ query: z.string().max(200).optional() })

/**
 * Install from the registry by `name`; admins may also give a whole `manifest`, or the `url` of a
 * Streamable HTTP MCP server (a custom install).
 */
export const ExtensionInstallRequest = z.object({
  name: z.string().max(64),
  url: z.string().max(2048).optional(),
  /** Kept for clients of the original API; only `mcp_server` exists here. */
  kind: z.string().max(32).optional(),
  manifest: z.unknown().optional(),
})
export type ExtensionInstallRequest = z.infer<typeof ExtensionInstallRequest>

export const SetupItem = z.object({
  name: z.string(),
  prompt: z.string(),
  optional: z.boolean(),
  provided: z.boolean(),
  auto_generate: z.boolean().optional(),
  input_type: z.enum(['text', 'password']).optional(),
})
export type SetupItem = z.infer<typeof SetupItem>
export const ExtensionSetup = z.object({
  name: z.string(),
  kind: z.string(),
  secrets: z.array(SetupItem),
  fields: z.array(SetupItem),
  /** Present when the extension signs in with OAuth; `authenticated` says whether a token is stored. */
  oauth: z.object({ authenticated: z.boolean() }).optional(),
})
export type ExtensionSetup = z.infer<typeof ExtensionSetup>

export const ExtensionSetupRequest = z.object({
  secrets: z.record(z.string().max(64), z.string().max(8192)).default({}),
  fields: z.record(z.string().max(64), z.string().max(1000)).default({}),
  /** Where the OAuth result page links back to: a same-origin path (`/extensions`). */
  redirect_after: z.string().max(512).optional(),
})
export type ExtensionSetupRequest = z.infer<typeof ExtensionSetupRequest>

export const ActivateRequest = z.object({ redirect_after: z.string().max(512).optional() })

/** `/api/extensions/{name}/...`. */
export const ExtensionNameParam = z.object({ name: z.string().min(1).max(64) })
export type RegistryEntry = z.infer<typeof RegistryEntry>
export type ExtensionList = z.infer<typeof ExtensionList>
export type ToolInfo = z.infer<typeof ToolInfo>
export type ToolList = z.infer<typeof ToolList>
export type RegistryList = z.infer<typeof RegistryList>
