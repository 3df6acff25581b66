/** Settings, tokens, users, usage, secrets, pairing and logs: the server's own schemas (src/protocol). */
import type { z } from 'zod'
import type { CreatedUser as CreatedUserSchema, PairingList, UsageReport as UsageReportSchema, UsageRow as UsageRowSchema } from '../../../../src/protocol/index'

export type {
  CreatedToken,
  LogLevelState,
  LogLine as LogEntry,
  SecretInfo,
  Setting,
  TokenInfo as ApiToken,
  User as UserInfo,
} from '../../../../src/protocol/index'

export type CreatedUser = z.infer<typeof CreatedUserSchema>
/** A usage row: per user and model, or per user (`users`: no model, with the display name). */
export type UsageRow = Omit<z.infer<typeof UsageRowSchema>, 'model'> & { model?: string; display_name?: string | null }
export type UsageReport = z.infer<typeof UsageReportSchema>
export type PairingRequest = z.infer<typeof PairingList>['requests'][number]
