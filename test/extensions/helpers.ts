import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppEvent } from '../../src/index'
import { tempDir } from '../support/store'

export const FIXTURE_SERVER = join(__dirname, 'fixtures', 'mcp-stdio-server.mjs')

/** Writes manifests into a fresh directory for `GATEWAY_EXTENSIONS_DIR`. */
export function manifestDir(manifests: Array<Record<string, unknown>>): string {
  const dir = tempDir('gw-ext-manifests-')
  for (const manifest of manifests) writeFileSync(join(dir, `${manifest.name as string}.json`), JSON.stringify(manifest, null, 2))
  return dir
}

/** A stdio manifest running the fixture server with `node`. */
export function stdioFixture(name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Record<string, unknown> {
  return {
    name,
    display_name: `Fixture ${name}`,
    description: 'A test MCP server over stdio',
    keywords: ['fixture'],
    transport: { type: 'stdio', command: process.execPath, args: [FIXTURE_SERVER], env },
    tools: { requires_approval: true, overrides: { echo: { requires_approval: false }, add: { requires_approval: false } } },
    ...extra,
  }
}

/** Collects every event published on a gateway's bus, with its user. */
export function recordEvents(gw: { hub: { bus: { onEvent(fn: (e: { userId: string | null; event: AppEvent }) => void): () => void } } }) {
  const events: Array<{ userId: string | null; event: AppEvent }> = []
  const stop = gw.hub.bus.onEvent((e) => events.push({ userId: e.userId, event: e.event }))
  return {
    events,
    stop,
    of: (type: AppEvent['type'], userId?: string) => events.filter((e) => e.event.type === type && (userId === undefined || e.userId === userId)).map((e) => e.event as Record<string, any>),
    clear: () => void (events.length = 0),
  }
}

export const json = async (res: Response) => (await res.json()) as Record<string, any>
