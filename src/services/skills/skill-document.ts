import { z } from 'zod'
import { errorMessage } from '../../lib/errors'

/** A SKILL.md larger than this is refused (the instructions go into prompts). */
export const MAX_SKILL_MD_BYTES = 256 * 1024

/** What a SKILL.md says about itself, and its instructions. */
export interface SkillDocument {
  /** The front matter's `name`, as written (may be a display name). */
  name: string | undefined
  description: string
  version: string
  keywords: string[]
  /** The markdown after the front matter. */
  instructions: string
}

export class SkillFormatError extends Error {
  override readonly name = 'SkillFormatError'
}

const keywordList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string()])
  .transform((value) => (Array.isArray(value) ? value.map(String) : value.split(',')))

const FrontMatter = z.looseObject({
  name: z.union([z.string(), z.number()]).transform(String).optional(),
  description: z.string().trim().min(1, 'description must not be empty').max(1024, 'description is longer than 1024 characters'),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  keywords: keywordList.optional(),
  tags: keywordList.optional(),
  /** The shape some skill registries use: `activation: { keywords: [...] }`. */
  activation: z.looseObject({ keywords: keywordList.optional() }).optional(),
})

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/

/**
 * Parses a SKILL.md: YAML front matter between `---` lines (`name`, `description`, optional
 * `version` and activation `keywords`), then markdown instructions. Only plain YAML is read
 * (the core schema, few aliases), so a document cannot expand into a bomb or run anything. The
 * YAML parser is imported on the first document, not when the gateway starts.
 */
export async function parseSkillDocument(text: string): Promise<SkillDocument> {
  if (new TextEncoder().encode(text).length > MAX_SKILL_MD_BYTES) throw new SkillFormatError(`SKILL.md is larger than ${MAX_SKILL_MD_BYTES / 1024} KiB`)
  const source = text.replace(/^\uFEFF/, '')
  const fence = FENCE.exec(source)
  if (!fence) throw new SkillFormatError('SKILL.md must start with YAML front matter between --- lines (name, description)')
  const { parse: parseYaml } = await import('yaml')
  let raw: unknown
  try {
    raw = parseYaml(fence[1]!, { schema: 'core', maxAliasCount: 16, uniqueKeys: true, prettyErrors: false })
  } catch (error) {
    throw new SkillFormatError(`the front matter is not valid YAML: ${firstLine(error)}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SkillFormatError('the front matter must be a YAML mapping (name: ..., description: ...)')
  const parsed = FrontMatter.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new SkillFormatError(`front matter ${issue.path.join('.') || 'value'}: ${issue.message}`)
  }
  const fm = parsed.data
  const keywords = [...(fm.keywords ?? []), ...(fm.activation?.keywords ?? []), ...(fm.tags ?? [])]
    .map((k) => k.trim().toLowerCase())
    .filter((k) => k.length > 0 && k.length <= 64)
  const instructions = source.slice(fence[0].length).trim()
  if (!instructions) throw new SkillFormatError('SKILL.md has no instructions after its front matter')
  return {
    name: fm.name?.trim() || undefined,
    description: fm.description,
    version: fm.version?.trim().slice(0, 32) || '0.0.0',
    keywords: [...new Set(keywords)].slice(0, 32),
    instructions,
  }
}

/** `My Skill!` -> `my-skill`: a folder-safe name from a display name (may be empty). */
export function slugifySkillName(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .replace(/-{2,}/g, '-')
    .slice(0, 64)
    .replace(/[-_]+$/g, '')
}

const firstLine = (error: unknown): string => errorMessage(error).split('\n')[0]!.slice(0, 200)
