import { del, get, post, seg } from './client'
import type { ActionResponse, ExtensionList, ExtensionSetup, RegistryList, SkillActionResult, SkillList, SkillSearchResult, ToolList } from './types'

/** Skill install and removal must say so explicitly (the server refuses them otherwise). */
const CONFIRM = { 'X-Confirm-Action': 'true' }

export const skills = {
  list: () => get<SkillList>('/api/skills'),
  search: (query: string) => post<SkillSearchResult>('/api/skills/search', { query }),
  install: (input: { name: string; slug?: string; url?: string; content?: string }) => post<SkillActionResult>('/api/skills/install', input, CONFIRM),
  remove: (name: string) => del<SkillActionResult>(`/api/skills/${seg(name)}`, CONFIRM),
}

export const extensions = {
  list: () => get<ExtensionList>('/api/extensions'),
  tools: () => get<ToolList>('/api/extensions/tools'),
  registry: (query = '') => get<RegistryList>('/api/extensions/registry', { query }),
  install: (name: string, kind?: string, url?: string) => post<ActionResponse>('/api/extensions/install', { name, ...(kind ? { kind } : {}), ...(url ? { url } : {}) }),
  activate: (name: string) => post<ActionResponse>(`/api/extensions/${seg(name)}/activate`),
  remove: (name: string) => post<ActionResponse>(`/api/extensions/${seg(name)}/remove`),
  setup: (name: string) => get<ExtensionSetup>(`/api/extensions/${seg(name)}/setup`),
  configure: (name: string, secrets: Record<string, string>, fields: Record<string, string>) =>
    post<ActionResponse>(`/api/extensions/${seg(name)}/setup`, { secrets, fields }),
}
