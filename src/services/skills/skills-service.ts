import { actionFailure, errorMessage, GatewayError, notFound } from '../../lib/errors'
import { UnsafeUrlError } from '../../net/public-address'
import { quotaExceeded } from '../../lib/quota'
import { SkillName, type SkillCatalogEntry, type SkillInfo, type SkillInstallRequest, type SkillScope, type SkillSearchResult } from '../../protocol/skills'
import { DirectoryExistsError, type FileEntry } from '../../ports/directory'
import { DownloadError, type GuardedFetcher } from '../../net/guarded-fetch'
import { ArchiveError, DEFAULT_ARCHIVE_LIMITS, sniffArchive, type UnpackArchive } from '../../ports/archive'
import { parseSkillDocument, SkillFormatError, slugifySkillName, type SkillDocument } from './skill-document'
import { type InstalledSkill, SkillLibrary, toInfo } from './skill-library'
import { skillContext } from './skill-matcher'
import type { SkillRegistry } from './skill-registry'
import { scanSkillText } from './skill-scan'
import type { SkillsPort } from './port'

/** Skills one scope may hold by default, so a script cannot fill the disk one small skill at a time. */
const MAX_SKILLS_PER_SCOPE = 200

export interface SkillsServiceDeps {
  library: SkillLibrary
  registry: SkillRegistry
  /** The SSRF-guarded fetcher for URL installs; absent on runtimes without DNS and pinned fetch. */
  fetcher: GuardedFetcher | undefined
  unpack: UnpackArchive | undefined
  limits: { downloadTimeoutMs: number; maxDownloadBytes: number }
  /** Skills one scope (a user's own, or the shared one) may hold. */
  skillsPerScope?: number
}

/** Skills on disk per scope, installed from text, a URL or a ClawHub-compatible registry. */
export class SkillsService implements SkillsPort {
  constructor(private readonly deps: SkillsServiceDeps) {}

  async list(userId: string): Promise<SkillInfo[]> {
    return (await this.#visible(userId)).map((s) => s.info)
  }

  async search(userId: string, query: string): Promise<SkillSearchResult> {
    const q = query.trim().toLowerCase()
    const mine = await this.list(userId)
    const installed = mine.filter((s) => !q || s.name.includes(q) || s.description.toLowerCase().includes(q) || s.keywords.some((k) => k.includes(q)))
    const result: SkillSearchResult = { catalog: [], installed, registry_url: this.deps.registry.baseUrl }
    if (!q) return result
    try {
      const names = new Set(mine.map((s) => s.name))
      result.catalog = (await this.deps.registry.search(q)).map((hit): SkillCatalogEntry => ({ ...hit, installed: names.has(hit.slug) }))
    } catch (error) {
      result.catalog_error = `The skill registry could not be searched: ${errorMessage(error)}`
    }
    return result
  }

  async install(userId: string, request: SkillInstallRequest): Promise<SkillInfo> {
    const scope = request.scope === 'shared' ? SkillLibrary.shared() : await SkillLibrary.user(userId)
    const { files, suggestedName, origin } = await this.#fetchFiles(request)
    const { document, files: tree } = await locateSkill(files)
    const flagged = scanSkillText(`${document.description}\n${document.instructions}`)
    if (flagged.length > 0) throw actionFailure(400, 'skill_flagged', `The skill was refused: it ${flagged.join('; ')}`, { reasons: flagged })
    const name = chooseName(origin === 'registry' ? suggestedName : request.name, document)
    const quota = this.deps.skillsPerScope ?? MAX_SKILLS_PER_SCOPE
    if ((await this.deps.library.list(scope)).length >= quota && !(await this.deps.library.get(scope, name))) {
      const { code, message } = quotaExceeded('skills', quota, 'remove one first')
      throw actionFailure(429, code, message)
    }
    try {
      await this.deps.library.install(scope, name, tree, request.replace)
    } catch (error) {
      if (error instanceof DirectoryExistsError) throw actionFailure(409, 'skill_exists', `Skill '${name}' already exists (send "replace": true to update it)`)
      throw error
    }
    return toInfo(scope, name, document)
  }

  async remove(userId: string, name: string, scope: SkillScope): Promise<SkillInfo> {
    const ref = scope === 'shared' ? SkillLibrary.shared() : await SkillLibrary.user(userId)
    const skill = await this.deps.library.get(ref, name)
    if (!skill || !(await this.deps.library.remove(ref, name))) throw notFound('skill', `Skill '${name}' is not installed${scope === 'shared' ? ' as a shared skill' : ''}`)
    return skill.info
  }

  async contextFor(userId: string, message: string): Promise<string | undefined> {
    return skillContext(await this.#visible(userId), message)
  }

  async deleteUser(userId: string): Promise<void> {
    await this.deps.library.removeScope(await SkillLibrary.user(userId))
  }

  /** The user's skills, then shared ones not shadowed by a user skill of the same name. */
  async #visible(userId: string): Promise<InstalledSkill[]> {
    const [own, shared] = await Promise.all([this.deps.library.list(await SkillLibrary.user(userId)), this.deps.library.list(SkillLibrary.shared())])
    const names = new Set(own.map((s) => s.info.name))
    return [...own, ...shared.filter((s) => !names.has(s.info.name))].sort((a, b) => a.info.name.localeCompare(b.info.name))
  }

  /** The files of the requested source: `content`, else `url`, else the registry by `slug` or `name`. */
  async #fetchFiles(request: SkillInstallRequest): Promise<{ files: FileEntry[]; suggestedName?: string; origin: 'content' | 'url' | 'registry' }> {
    if (request.content !== undefined) return { files: [{ path: 'SKILL.md', data: new TextEncoder().encode(request.content) }], origin: 'content' }
    if (request.url !== undefined) {
      const fetcher = this.deps.fetcher
      if (!fetcher) throw new GatewayError(503, 'skills_download_unavailable', 'This runtime cannot download skills (no DNS resolver / pinned fetch); install by content instead')
      try {
        const got = await fetcher.get(request.url, { maxBytes: this.deps.limits.maxDownloadBytes, timeoutMs: this.deps.limits.downloadTimeoutMs })
        return { files: await this.#unpack(got.bytes), origin: 'url' }
      } catch (error) {
        throw downloadFailure(error, 400)
      }
    }
    const slug = request.slug ?? request.name
    if (slug === undefined) throw actionFailure(400, 'skill_source_required', "Provide 'content', 'url', or a registry 'slug' / 'name' to install a skill")
    const parsed = SkillName.safeParse(slug)
    if (!parsed.success) throw actionFailure(400, 'invalid_skill_name', `Not a valid registry slug: ${JSON.stringify(slug.slice(0, 80))}`)
    try {
      const got = await this.deps.registry.download(parsed.data)
      return { files: await this.#unpack(got.bytes), suggestedName: parsed.data, origin: 'registry' }
    } catch (error) {
      throw downloadFailure(error, 502)
    }
  }

  /** An archive's files, or the bytes as a lone SKILL.md. */
  async #unpack(bytes: Uint8Array): Promise<FileEntry[]> {
    const format = sniffArchive(bytes)
    if (!format) return [{ path: 'SKILL.md', data: bytes }]
    if (!this.deps.unpack) throw actionFailure(400, 'invalid_archive', 'This runtime cannot unpack archives; install a single SKILL.md instead')
    return this.deps.unpack(bytes, format, DEFAULT_ARCHIVE_LIMITS)
  }
}

/**
 * Finds SKILL.md at the archive's root, or in its single top-level folder (which is then
 * stripped), and parses it. Everything else comes along as supporting files.
 */
async function locateSkill(files: FileEntry[]): Promise<{ document: SkillDocument; files: FileEntry[] }> {
  let tree = files
  if (!files.some((f) => f.path === 'SKILL.md')) {
    const tops = new Set(files.map((f) => f.path.split('/')[0]))
    const [top] = tops
    if (tops.size === 1 && top && files.some((f) => f.path === `${top}/SKILL.md`)) {
      tree = files.map((f) => ({ ...f, path: f.path.slice(top.length + 1) }))
    } else {
      throw actionFailure(400, 'invalid_skill', 'No SKILL.md at the root of the archive')
    }
  }
  const skillMd = tree.find((f) => f.path === 'SKILL.md')!
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(skillMd.data)
  } catch {
    throw actionFailure(400, 'invalid_skill', 'SKILL.md is not UTF-8 text')
  }
  try {
    return { document: await parseSkillDocument(text), files: tree }
  } catch (error) {
    if (error instanceof SkillFormatError) throw actionFailure(400, 'invalid_skill', error.message)
    throw error
  }
}

/** The folder name: the one asked for, else the front matter's name made folder-safe. */
function chooseName(requested: string | undefined, document: SkillDocument): string {
  const candidate = requested ?? slugifySkillName(document.name ?? '')
  if (!candidate) throw actionFailure(400, 'invalid_skill_name', "The skill needs a name: give 'name', or 'name:' in its front matter")
  const parsed = SkillName.safeParse(candidate)
  if (!parsed.success) throw actionFailure(400, 'invalid_skill_name', `Not a valid skill name: ${JSON.stringify(candidate.slice(0, 80))} (1-64 of a-z, 0-9, - and _)`)
  return parsed.data
}

/** Maps a download or archive failure to its status: refused URL and bad archive 400, upstream trouble `upstream`. */
function downloadFailure(error: unknown, upstream: 400 | 502): unknown {
  if (error instanceof GatewayError) return error
  if (error instanceof UnsafeUrlError) return actionFailure(400, 'url_refused', error.message)
  if (error instanceof ArchiveError) return actionFailure(400, 'invalid_archive', `The archive was refused: ${error.message}`)
  if (error instanceof DownloadError) {
    if (error.reason === 'too_large') return actionFailure(400, 'download_too_large', error.message)
    if (error.reason === 'timeout') return actionFailure(504, 'download_timeout', error.message)
    if (error.reason === 'redirects') return actionFailure(400, 'url_refused', error.message)
    return actionFailure(upstream === 502 || error.reason === 'network' ? 502 : 400, 'download_failed', error.message)
  }
  return actionFailure(upstream, 'download_failed', errorMessage(error))
}
