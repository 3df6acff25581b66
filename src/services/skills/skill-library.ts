import { getLogger } from '@logtape/logtape'
import { sha256Hex } from '../../lib/crypto'
import type { SkillInfo, SkillScope } from '../../protocol/skills'
import type { DirectoryPort, FileEntry } from '../../ports/directory'
import { MAX_SKILL_MD_BYTES, parseSkillDocument, type SkillDocument } from './skill-document'
import { errorMessage } from '../../lib/errors'

const log = getLogger(['gateway', 'skills'])

/** An installed skill: what the API shows plus its instructions. */
export interface InstalledSkill {
  info: SkillInfo
  document: SkillDocument
}

/** Where one scope's skills live inside the skills directory. */
export interface ScopeRef {
  kind: SkillScope
  /** `shared`, or `users/<sha256 of the user id>` (a fixed-length, path-safe name for any id). */
  path: string
}

/** How long a scope's listing is reused before the directory is read again (edits by hand show up). */
const CACHE_MS = 10_000

/**
 * The installed skills on disk, one folder per skill (`<scope>/<name>/SKILL.md` plus any
 * supporting files), through the runtime's `DirectoryPort`. Installs are atomic (temp folder,
 * then rename), listings are cached briefly and dropped on every change made here.
 */
export class SkillLibrary {
  readonly #cache = new Map<string, { at: number; skills: InstalledSkill[] }>()

  constructor(
    private readonly dir: DirectoryPort,
    private readonly now: () => number,
  ) {}

  static shared(): ScopeRef {
    return { kind: 'shared', path: 'shared' }
  }

  static async user(userId: string): Promise<ScopeRef> {
    return { kind: 'user', path: `users/${await sha256Hex(userId)}` }
  }

  /** The skills of one scope, sorted by name. A folder without a readable SKILL.md is skipped (and logged). */
  async list(scope: ScopeRef): Promise<InstalledSkill[]> {
    const cached = this.#cache.get(scope.path)
    if (cached && this.now() - cached.at < CACHE_MS) return cached.skills
    const skills: InstalledSkill[] = []
    for (const entry of await this.dir.list(scope.path)) {
      if (entry.kind !== 'dir' || entry.name.startsWith('.')) continue
      try {
        const text = await this.dir.readText(`${scope.path}/${entry.name}/SKILL.md`, MAX_SKILL_MD_BYTES)
        if (text === undefined) continue
        const document = await parseSkillDocument(text)
        skills.push({ info: toInfo(scope, entry.name, document), document })
      } catch (error) {
        log.warn('skipping the skill folder {name} ({scope}): {error}', { name: entry.name, scope: scope.kind, error: errorMessage(error) })
      }
    }
    this.#cache.set(scope.path, { at: this.now(), skills })
    return skills
  }

  async get(scope: ScopeRef, name: string): Promise<InstalledSkill | undefined> {
    return (await this.list(scope)).find((s) => s.info.name === name)
  }

  /** Writes a skill folder in one step; `DirectoryExistsError` when it exists and `replace` is off. */
  async install(scope: ScopeRef, name: string, files: FileEntry[], replace: boolean): Promise<void> {
    try {
      await this.dir.writeDirAtomic(`${scope.path}/${name}`, files, { replace })
    } finally {
      this.#cache.delete(scope.path)
    }
  }

  async remove(scope: ScopeRef, name: string): Promise<boolean> {
    try {
      return await this.dir.removeDir(`${scope.path}/${name}`)
    } finally {
      this.#cache.delete(scope.path)
    }
  }

  /** Erases a whole scope (a deleted user's skills). */
  async removeScope(scope: ScopeRef): Promise<void> {
    try {
      await this.dir.removeDir(scope.path)
    } finally {
      this.#cache.delete(scope.path)
    }
  }
}

export function toInfo(scope: ScopeRef, name: string, document: SkillDocument): SkillInfo {
  return {
    name,
    description: document.description,
    version: document.version,
    trust: scope.kind === 'shared' ? 'trusted' : 'installed',
    source: { kind: scope.kind, relative_path: name },
    keywords: document.keywords,
  }
}
