import { z } from 'zod'

/**
 * A skill's name: its folder name and identity. Lowercase letters, digits, `-` and `_`, 1-64
 * characters, starting and ending with a letter or digit, so it is safe as a path segment.
 */
export const SkillName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/, 'skill names are 1-64 of a-z, 0-9, - and _, starting and ending with a letter or digit')

/** Where a skill is installed: the caller's own (`user`) or everyone's (`shared`, installed by an admin). */
export const SkillScope = z.enum(['user', 'shared'])
export type SkillScope = z.infer<typeof SkillScope>

export const SkillInfo = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string(),
  /** `trusted` = shared by an admin; `installed` = the user's own. */
  trust: z.enum(['installed', 'trusted']),
  /** The folder, relative to its scope's skills directory; never an absolute path. */
  source: z.object({ kind: SkillScope, relative_path: z.string() }),
  keywords: z.array(z.string()),
})
export type SkillInfo = z.infer<typeof SkillInfo>

export const SkillList = z.object({ skills: z.array(SkillInfo), count: z.number().int() })

export const SkillSearchRequest = z.object({ query: z.string().max(200) })

/** One ClawHub search hit; the top few are enriched with stars, downloads and owner (null when unknown). */
export const SkillCatalogEntry = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string().nullable(),
  score: z.number().nullable(),
  /** Epoch milliseconds. */
  updatedAt: z.number().nullable(),
  stars: z.number().nullable(),
  downloads: z.number().nullable(),
  owner: z.string().nullable(),
  /** True when a skill of that name is already installed for the caller. */
  installed: z.boolean(),
})
export type SkillCatalogEntry = z.infer<typeof SkillCatalogEntry>

export const SkillSearchResult = z.object({
  catalog: z.array(SkillCatalogEntry),
  installed: z.array(SkillInfo),
  registry_url: z.string(),
  /** Set when the registry could not be searched; the local results are still there. */
  catalog_error: z.string().optional(),
})
export type SkillSearchResult = z.infer<typeof SkillSearchResult>

/**
 * Installs a skill from exactly one source: `content` (the SKILL.md text), `url` (a SKILL.md or
 * a zip / tar.gz holding one, https only), or the registry (`slug`, else `name`).
 */
export const SkillInstallRequest = z.object({
  name: z.string().max(64).optional(),
  slug: z.string().max(128).optional(),
  url: z.string().max(2048).optional(),
  content: z.string().max(256 * 1024).optional(),
  /** `shared` installs for everyone (admins only). */
  scope: SkillScope.default('user'),
  /** Replace an installed skill of the same name (an update) instead of failing with 409. */
  replace: z.boolean().default(false),
})
export type SkillInstallRequest = z.infer<typeof SkillInstallRequest>

export const SkillActionResult = z.object({
  success: z.boolean(),
  message: z.string(),
  skill: SkillInfo.optional(),
})
export type SkillActionResult = z.infer<typeof SkillActionResult>

/** `/api/skills/{name}` and its scope. */
export const SkillNameParam = z.object({ name: SkillName })
export const SkillScopeQuery = z.object({ scope: SkillScope.default('user') })
export type SkillList = z.infer<typeof SkillList>
