import type { SkillInfo, SkillInstallRequest, SkillScope, SkillSearchResult } from '../../protocol/skills'

/** The skills subsystem behind `/api/skills` and the agent's per-message skill context. */
export interface SkillsPort {
  /** The caller's skills and the shared ones (a user skill hides a shared one of the same name). */
  list(userId: string): Promise<SkillInfo[]>
  /** Local skills matching the query, and the registry's hits (`catalog_error` when it is unreachable). */
  search(userId: string, query: string): Promise<SkillSearchResult>
  /** Installs into the caller's scope or the shared one (the route allows `shared` to admins only). */
  install(userId: string, request: SkillInstallRequest): Promise<SkillInfo>
  remove(userId: string, name: string, scope: SkillScope): Promise<SkillInfo>
  /** Text for the agent's system prompt for one message: the skills list and the relevant instructions. */
  contextFor(userId: string, message: string): Promise<string | undefined>
}
