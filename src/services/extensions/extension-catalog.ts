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
 * adjust a shipped one. The files are read once at start and validated on first use (start-up
 * does not wait for it); a broken file is logged and skipped.
 */
export class ExtensionCatalog {
  /** Shipped manifests first, then the directory's, each with the file it came from. */
  readonly #sources: Array<{ file: string | undefined; read: () => unknown }> = []
  #parsed: Map<string, ExtensionManifest> | undefined

  private constructor() {}

  static async load(dir?: DirectoryPort): Promise<ExtensionCatalog> {
    const catalog = new ExtensionCatalog()
    for (const raw of BUILTIN_MANIFESTS) catalog.#sources.push({ file: undefined, read: () => raw })
    if (dir) {
      for (const entry of await dir.list('')) {
        if (entry.kind !== 'file' || !entry.name.endsWith('.json')) continue
        try {
          const text = await dir.readText(entry.name, MAX_MANIFEST_BYTES)
          if (text !== undefined) catalog.#sources.push({ file: entry.name, read: () => JSON.parse(text) })
        } catch (error) {
          skipped(entry.name, error)
        }
      }
    }
    return catalog
  }

  get #entries(): Map<string, ExtensionManifest> {
    if (this.#parsed) return this.#parsed
    const entries = new Map<string, ExtensionManifest>()
    for (const { file, read } of this.#sources) {
      // A shipped manifest that does not parse is a bug: let it throw.
      if (file === undefined) {
        const manifest = parseManifest(read())
        entries.set(manifest.name, manifest)
        continue
      }
      try {
        const manifest = parseManifest(read())
        entries.set(manifest.name, manifest)
      } catch (error) {
        skipped(file, error)
      }
    }
    return (this.#parsed = entries)
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

const skipped = (file: string, error: unknown) =>
  log.warn('skipping the extension manifest {file}: {error}', { file, error: errorMessage(error) })
