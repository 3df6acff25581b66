import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../support/store'

const ROOT = join(__dirname, '../..')
const TOKEN = 'lazy-start-token-0123456789abcdef'

/** What a request may need but a start must not read (issue: nothing heavy before listen). */
const LAZY = ['@modelcontextprotocol/sdk', 'openai', '@anthropic-ai/sdk', 'yaml', 'croner', 'cronstrue', 'tar', 'yauzl', 'ajv']
const packagesIn = (loaded: string[]) => new Set(loaded.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))

/** The real CLI from source, recording every module it loads; resolves once it listens. */
function start(env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; loaded: () => string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test/fixtures/record-loads.mjs'), join(ROOT, 'adapters/node/main.ts'), '--port', '0', '--data-dir', tempDir('gw-lazy-')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GATEWAY_AUTH_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const loaded = () => [...err.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start:\n${out}\n${err.slice(-2000)}`)), 20_000)
    child.stdout!.on('data', () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(out)
      if (match) (clearTimeout(timer), resolve({ child, url: match[1]!, loaded }))
    })
    child.once('exit', (code) => reject(new Error(`the CLI exited ${code}:\n${out}\n${err.slice(-2000)}`)))
  })
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500))

describe('start-up reads only what serving needs', () => {
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL')
  })

  it('loads no SDK, parser, archive reader, cron library or web app bytes before a request needs them', async () => {
    const gw = await start()
    children.push(gw.child)
    await settle()
    const atStart = packagesIn(gw.loaded())
    expect(LAZY.filter((name) => atStart.has(name))).toEqual([])
    expect(gw.loaded().some((url) => url.endsWith('/src/generated/assets.ts'))).toBe(false)
    expect(atStart.has('kysely') && atStart.has('hono')).toBe(true)

    // The page, then a routine listing with a cron routine: each brings only its own code.
    expect((await fetch(`${gw.url}/`)).status).toBe(200)
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
    const created = await fetch(`${gw.url}/api/routines`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'morning', trigger: { type: 'cron', schedule: '0 8 * * 1-5' }, action: { type: 'lightweight', prompt: 'Summarise my notes' } }),
    })
    expect(created.status).toBe(201)
    expect(((await created.json()) as { trigger_summary: string }).trigger_summary).toMatch(/08:00/)
    await settle()
    const after = packagesIn(gw.loaded())
    expect(gw.loaded().some((url) => url.endsWith('/src/generated/assets.ts'))).toBe(true)
    expect(after.has('croner') && after.has('cronstrue')).toBe(true)
    expect(['@modelcontextprotocol/sdk', 'openai', '@anthropic-ai/sdk', 'yaml', 'tar', 'yauzl'].filter((name) => after.has(name))).toEqual([])
  }, 30_000)

  it("loads the model provider's SDK once it listens, not in the first turn", async () => {
    const gw = await start({ LLM_BACKEND: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant-test', LLM_BASE_URL: 'http://127.0.0.1:9' })
    children.push(gw.child)
    await settle()
    expect(packagesIn(gw.loaded()).has('@anthropic-ai/sdk')).toBe(true)
  }, 30_000)
})
