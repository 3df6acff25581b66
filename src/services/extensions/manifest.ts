import { ExtensionManifest, type McpTransportSpec } from '../../protocol/extensions'

const REFERENCE = /\$\{(secret|field):([a-z0-9][a-z0-9_.-]{0,63})\}|\$\{workspace\}/g

export class ManifestError extends Error {
  override readonly name = 'ManifestError'
}

/** Every `${secret:x}` / `${field:x}` in a string. */
function references(value: string): Array<{ kind: 'secret' | 'field'; name: string }> {
  return [...value.matchAll(REFERENCE)].filter((m) => m[1]).map((m) => ({ kind: m[1] as 'secret' | 'field', name: m[2]! }))
}

/**
 * Parses and checks a manifest: the schema, then the references. A secret may appear only in
 * `env` or `headers` (not in a command line, which `ps` shows, nor a URL, which logs keep), and
 * every reference must name a declared secret or field.
 */
export function parseManifest(raw: unknown): ExtensionManifest {
  const parsed = ExtensionManifest.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ManifestError(`manifest ${issue.path.join('.') || 'value'}: ${issue.message}`)
  }
  const manifest = parsed.data
  const secrets = new Set(manifest.secrets.map((s) => s.name))
  if (manifest.auth) secrets.add(manifest.auth.token_secret)
  if (manifest.oauth) secrets.add(manifest.oauth.token_secret)
  const fields = new Set(manifest.fields.map((f) => f.name))
  const check = (value: string, where: string, secretsAllowed: boolean) => {
    for (const ref of references(value)) {
      if (ref.kind === 'secret' && !secretsAllowed) throw new ManifestError(`manifest ${where}: secrets may only be used in env or headers`)
      if (ref.kind === 'secret' && !secrets.has(ref.name)) throw new ManifestError(`manifest ${where}: unknown secret ${ref.name}`)
      if (ref.kind === 'field' && !fields.has(ref.name)) throw new ManifestError(`manifest ${where}: unknown field ${ref.name}`)
    }
  }
  const t = manifest.transport
  if (t.type === 'stdio') {
    check(t.command, 'transport.command', false)
    t.args.forEach((arg, i) => check(arg, `transport.args.${i}`, false))
    for (const [k, v] of Object.entries(t.env)) check(v, `transport.env.${k}`, true)
  } else {
    check(t.url, 'transport.url', false)
    for (const [k, v] of Object.entries(t.headers)) check(v, `transport.headers.${k}`, true)
  }
  if (manifest.auth && !manifest.secrets.some((s) => s.name === manifest.auth!.token_secret)) {
    throw new ManifestError(`manifest auth.token_secret: ${manifest.auth.token_secret} must be one of its secrets`)
  }
  return manifest
}

/** Values for a manifest's references when it is started. */
export interface TemplateValues {
  secrets: Record<string, string>
  fields: Record<string, string>
  workspace: string
}

const expand = (value: string, v: TemplateValues): string =>
  value.replace(REFERENCE, (whole, kind: string | undefined, name: string | undefined) => {
    if (!kind) return v.workspace
    return (kind === 'secret' ? v.secrets[name!] : v.fields[name!]) ?? ''
  })

/** The transport with every reference replaced by its value. */
export function expandTransport(spec: McpTransportSpec, values: TemplateValues): McpTransportSpec {
  if (spec.type === 'stdio') {
    return {
      type: 'stdio',
      command: expand(spec.command, values),
      args: spec.args.map((a) => expand(a, values)),
      env: Object.fromEntries(Object.entries(spec.env).map(([k, val]) => [k, expand(val, values)])),
    }
  }
  return { type: 'http', url: expand(spec.url, values), headers: Object.fromEntries(Object.entries(spec.headers).map(([k, val]) => [k, expand(val, values)])) }
}

/** Whether the transport uses the per-user workspace directory (so it is created first). */
export const usesWorkspace = (spec: McpTransportSpec): boolean => JSON.stringify(spec).includes('${workspace}')
