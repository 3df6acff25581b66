import type { Kysely, Migration, MigrationProvider } from 'kysely'
import type { Dialect } from '../database'
import * as core from './0001-core'
import * as usage from './0002-usage'
import * as chat from './0003-chat'
import * as users from './0004-users'
import * as memory from './0005-memory'
import * as jobs from './0006-jobs'
import * as routines from './0007-routines'
import * as extensions from './0008-extensions'
import * as bus from './0009-bus'
import * as chatVersions from './0010-chat-versions'
import * as tokenMinters from './0011-token-minters'
import * as sessions from './0012-sessions'
import * as approvalExpiry from './0013-approval-expiry'
import * as rateHits from './0017-rate-hits'
import * as eventCompaction from './0018-event-compaction'

type DialectMigration = { up(db: Kysely<any>, dialect: Dialect): Promise<void> }

/**
 * Every migration, in order. One set runs on SQLite and PostgreSQL; a migration that needs
 * dialect-specific SQL branches on its `dialect` argument. Never edit a released migration:
 * add the next number. Each domain owns its file.
 */
const ordered: Record<string, DialectMigration> = {
  '0001_core': core,
  '0002_usage': usage,
  '0003_chat': chat,
  '0004_users': users,
  '0005_memory': memory,
  '0006_jobs': jobs,
  '0007_routines': routines,
  '0008_extensions': extensions,
  '0009_bus': bus,
  '0010_chat_versions': chatVersions,
  '0011_token_minters': tokenMinters,
  '0012_sessions': sessions,
  '0013_approval_expiry': approvalExpiry,
  '0017_rate_hits': rateHits,
  '0018_event_compaction': eventCompaction,
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {}
      for (const [name, m] of Object.entries(ordered)) out[name] = { up: (db) => m.up(db, dialect) }
      return out
    },
  }
}
