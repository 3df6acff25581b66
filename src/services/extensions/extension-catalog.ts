import { getLogger } from '@logtape/logtape'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { DirectoryPort } from '../../ports/directory'
import { BUILTIN_MANIFESTS } from './builtin-manifests'
import { parseManifest } from './manifest'
import { errorMessage } from '../../lib/errors'

const log = getLogger(['gateway', 'extensions'])

/** Manifest files larger than this are skipped. */
const MAX_MANIFEST_BYTES = 64 * 1024

/**
 * The extension registry: the manifests shipped with the gateway, plus `*.json` files from the
 * configured directory (`GATEWAY_EXTENSIONS_DIR`), which win on a name clash so an operator can
 * adjust a shipped one. Loaded once at start; a broken file is logged and skipped.
 */
export class ExtensionCatalog {
  readonly #entries = new Map<string, ExtensionManifest>()

  private constructor() {}

  static async load(dir?: DirectoryPort): Promise<ExtensionCatalog> {
    const catalog = new ExtensionCatalog()
    for (const raw of BUILTIN_MANIFESTS) {
      const manifest = parseManifest(raw)
      catalog.#entries.set(manifest.name, manifest)
    }
    if (dir) {
      for (const entry of await dir.list('')) {
        if (entry.kind !== 'file' || !entry.name.endsWith('.json')) continue
        try {
          const text = await dir.readText(entry.name, MAX_MANIFEST_BYTES)
          if (text === undefined) continue
          const manifest = parseManifest(JSON.parse(text))
          catalog.#entries.set(manifest.name, manifest)
        } catch (error) {
          log.warn('skipping the extension manifest {file}: {error}', { file: entry.name, error: errorMessage(error) })
        }
      }
    }
    return catalog
  }

  get(name: string): ExtensionManifest | undefined {
    return this.#entries.get(name)
  }

  all(): ExtensionManifest[] {
    return [...this.#entries.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Entries matching a query: lower-cased whitespace tokens, an entry matches when any token is
   * a substring of its name, display name, description or a keyword. Empty query = all.
   */
  search(query: string | undefined): ExtensionManifest[] {
    const tokens = (query ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    if (tokens.length === 0) return this.all()
    return this.all().filter((m) => {
      const haystack = [m.name, m.display_name, m.description, ...m.keywords].map((s) => s.toLowerCase())
      return tokens.some((t) => haystack.some((h) => h.includes(t)))
    })
  }
}
