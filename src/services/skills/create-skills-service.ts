import type { ServiceContext } from '../service-context'
import { GuardedFetcher } from '../../net/guarded-fetch'
import { SkillLibrary } from './skill-library'
import { SkillRegistry } from './skill-registry'
import { SkillsService } from './skills-service'

/**
 * The default skills subsystem: skill folders under `<dataDir>/skills` (needs the runtime's
 * `openDirectory`), URL and registry installs through the SSRF-guarded fetcher (needs
 * `resolveHost` + `fetchPinned`; without them only pasted content installs). The configured
 * registry is the operator's choice and may sit on loopback or the LAN; every other URL must be
 * public.
 */
export function createSkillsService(ctx: ServiceContext): SkillsService | undefined {
  const { runtime, config } = ctx
  if (!runtime.openDirectory) return undefined
  const dir = runtime.openDirectory(`${config.dataDir.replace(/\/+$/, '')}/skills`)
  const registryOrigin = new URL(config.skills.registryUrl).origin
  const fetcher =
    runtime.resolveHost && runtime.fetchPinned
      ? new GuardedFetcher({ resolveHost: runtime.resolveHost, fetchPinned: runtime.fetchPinned, trustedOrigins: [registryOrigin] })
      : undefined
  const registry = new SkillRegistry(config.skills.registryUrl, fetcher, {
    searchTimeoutMs: config.skills.registryTimeoutMs,
    downloadTimeoutMs: config.skills.downloadTimeoutMs,
    maxDownloadBytes: config.skills.maxDownloadBytes,
  })
  const skills = new SkillsService({
    library: new SkillLibrary(dir, () => ctx.clock.now()),
    registry,
    fetcher,
    unpack: runtime.unpackArchive,
    limits: { downloadTimeoutMs: config.skills.downloadTimeoutMs, maxDownloadBytes: config.skills.maxDownloadBytes },
    skillsPerScope: config.limits.quotas.skillsPerUser,
  })
  ctx.onDeleteUser((userId) => skills.deleteUser(userId))
  return skills
}
