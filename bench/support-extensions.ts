import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { unpackArchive } from '../adapters/shared/archive'
import { createGateway as create } from '../adapters/node/index'
import { DEFAULT_ARCHIVE_LIMITS } from '../src/exports/ports'
import { makeZip, skillMd } from '../test/support/archives'

/** A gateway with a temp data dir, SQLite, and the test fixture MCP server in its registry. */
export async function createGateway() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-ext-'))
  const manifests = join(dir, 'manifests')
  mkdirSync(manifests)
  writeFileSync(
    join(manifests, 'fixture.json'),
    JSON.stringify({
      name: 'fixture',
      display_name: 'Fixture',
      description: 'bench',
      transport: { type: 'stdio', command: process.execPath, args: [join(dirname(fileURLToPath(import.meta.url)), '../test/extensions/fixtures/mcp-stdio-server.mjs')] },
    }),
  )
  const token = 'bench-token-0123456789abcdef'
  const gw = await create({ config: { authToken: token, dataDir: join(dir, 'data'), extensions: { dir: manifests } } })
  const request = (path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
    Promise.resolve(
      gw.app.request(path, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      }),
    )
  return { gw: Object.assign(gw, { request }), dir, makeZip, skillMd }
}

export const unpackArchiveForBench = (bytes: Buffer) => unpackArchive(bytes, 'zip', DEFAULT_ARCHIVE_LIMITS)
