import type { ComponentType } from 'preact'
import { SettingsPage } from './account/SettingsPage'
import { TokensPage } from './account/TokensPage'
import { PairingPage } from './admin/PairingPage'
import { SecretsPage } from './admin/SecretsPage'
import { UsagePage } from './admin/UsagePage'
import { UsersPage } from './admin/UsersPage'
import { ApprovalsPage } from './approvals/ApprovalsPage'
import { ExtensionsPage } from './extensions/ExtensionsPage'
import { SkillsPage } from './extensions/SkillsPage'
import { JobsPage } from './jobs/JobsPage'
import { MemoryPage } from './memory/MemoryPage'
import { RoutinesPage } from './routines/RoutinesPage'
import { LogsPage } from './system/LogsPage'
import { StatusPage } from './system/StatusPage'

/** Every page but chat, by route section (`admin/users` for `#/admin/users`). */
export const pages: Record<string, ComponentType<{ parts: string[] }>> = {
  approvals: ApprovalsPage,
  memory: MemoryPage,
  jobs: JobsPage,
  routines: RoutinesPage,
  skills: SkillsPage,
  extensions: ExtensionsPage,
  settings: SettingsPage,
  tokens: TokensPage,
  logs: LogsPage,
  status: StatusPage,
  'admin/users': UsersPage,
  'admin/usage': UsagePage,
  'admin/secrets': SecretsPage,
  'admin/pairing': PairingPage,
}
