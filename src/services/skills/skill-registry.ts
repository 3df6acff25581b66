import { z } from 'zod'
import type { GuardedFetcher } from '../../net/guarded-fetch'

/** A search hit from a ClawHub-compatible registry, before local `installed` flags. */
export interface RegistryHit {
  slug: string
  name: string
  description: string
  version: string | null
  score: number | null
  updatedAt: number | null
  stars: number | null
  downloads: number | null
  owner: string | null
}

const num = z.number().finite().nullable().optional().catch(null)
const str = z.string().nullable().optional().catch(null)

const SearchAnswer = z.object({
  results: z
    .array(
      z.object({
        slug: z.string().min(1).max(128),
        displayName: str,
        summary: str,
        version: str,
        score: num,
        updatedAt: num,
      }),
    )
    .max(100),
})

const DetailAnswer = z.object({
  skill: z.object({ stats: z.looseObject({ stars: num, downloads: num }).nullable().optional().catch(null) }).nullable().optional().catch(null),
  owner: z.object({ handle: str }).nullable().optional().catch(null),
})

/** How many hits get a second request for stars, downloads and owner. */
const ENRICHED = 5

/**
 * A client of a ClawHub-compatible skill registry (`GET /api/v1/search`, `/api/v1/skills/{slug}`,
 * `/api/v1/download?slug=`), through the SSRF-guarded fetcher: the registry is just another
 * host, except that plain http is accepted for it.
 */
export class SkillRegistry {
  readonly baseUrl: string

  constructor(
    baseUrl: string,
    private readonly fetcher: GuardedFetcher | undefined,
    private readonly limits: { searchTimeoutMs: number; downloadTimeoutMs: number; maxDownloadBytes: number },
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
  }

  /** Searches the registry; enriches the top hits within the same time budget (nulls when they fail). */
  async search(query: string, limit = 20): Promise<RegistryHit[]> {
    const fetcher = this.#fetcher()
    const deadline = AbortSignal.timeout(this.limits.searchTimeoutMs)
    const url = `${this.baseUrl}/api/v1/search?q=${encodeURIComponent(query)}&limit=${limit}`
    const answer = SearchAnswer.safeParse(await fetcher.getJson(url, { maxBytes: 1024 * 1024, timeoutMs: this.limits.searchTimeoutMs, signal: deadline }))
    if (!answer.success) throw new Error('the registry answered an unexpected search shape')
    const hits: RegistryHit[] = answer.data.results.map((r) => ({
      slug: r.slug,
      name: r.displayName || r.slug,
      description: r.summary ?? '',
      version: r.version ?? null,
      score: r.score ?? null,
      updatedAt: r.updatedAt ?? null,
      stars: null,
      downloads: null,
      owner: null,
    }))
    await Promise.all(
      hits.slice(0, ENRICHED).map(async (hit) => {
        try {
          const detail = DetailAnswer.safeParse(
            await fetcher.getJson(`${this.baseUrl}/api/v1/skills/${encodeURIComponent(hit.slug)}`, { maxBytes: 256 * 1024, timeoutMs: this.limits.searchTimeoutMs, signal: deadline }),
          )
          if (!detail.success) return
          hit.stars = detail.data.skill?.stats?.stars ?? null
          hit.downloads = detail.data.skill?.stats?.downloads ?? null
          hit.owner = detail.data.owner?.handle ?? null
        } catch {
          // Enrichment is best effort: the hit stays with nulls.
        }
      }),
    )
    return hits
  }

  /** The latest version of a skill as an archive (zip) or a bare SKILL.md. */
  async download(slug: string): Promise<{ bytes: Uint8Array; url: string }> {
    const url = `${this.baseUrl}/api/v1/download?slug=${encodeURIComponent(slug)}`
    const got = await this.#fetcher().get(url, { maxBytes: this.limits.maxDownloadBytes, timeoutMs: this.limits.downloadTimeoutMs })
    return { bytes: got.bytes, url: got.url }
  }

  #fetcher(): GuardedFetcher {
    if (!this.fetcher) throw new Error('this runtime cannot make outbound requests (no DNS resolver / pinned fetch)')
    return this.fetcher
  }
}
