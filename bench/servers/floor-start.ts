/**
 * The start-up floor of the gateway's stack with nothing of ours: the same libraries the gateway
 * loads before it listens (Hono on @hono/node-server, zod, Kysely on better-sqlite3, LogTape),
 * each doing the least it can (parse the flags, configure a console logger, open a SQLite file
 * and run one statement, route `/api/health`). Bundled like the CLI (bench/scenarios/startup.ts).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { configure, getConsoleSink } from '@logtape/logtape'
import Database from 'better-sqlite3'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { z } from 'zod'

const flag = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1]
const { port, dataDir } = z.object({ port: z.coerce.number().int(), dataDir: z.string().min(1) }).parse({ port: flag('port'), dataDir: flag('data-dir') })
await configure({ sinks: { console: getConsoleSink() }, loggers: [{ category: ['floor'], sinks: ['console'], lowestLevel: 'info' }] })
mkdirSync(dataDir, { recursive: true })
const db = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: new Database(join(dataDir, 'floor.db')) }) })
await sql`create table if not exists t (id integer primary key)`.execute(db)
const app = new Hono().get('/api/health', (c) => c.json({ status: 'healthy', channel: 'gateway' }))
createAdaptorServer({ fetch: app.fetch }).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
