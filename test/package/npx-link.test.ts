import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/store'

const ROOT = realpathSync(join(__dirname, '../..'))
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** The environment of a user whose npm cache is `cache` (nothing of this test run's npm). */
const userEnv = (cache: string) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', npm_config_cache: cache, npm_config_update_notifier: 'false' })

/** What an interrupted first `npx gateway` leaves (seen with npm 11): the link, no package.json. */
function brokenEntry(npxCache: string, name: string, target: string): string {
  const dir = join(npxCache, name)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(target, join(dir, 'node_modules', 'agent-gateway'), 'dir')
  return dir
}

describe('install links the checkout into the npx cache (scripts/npx-link.mjs, run by postprepare)', () => {
  it('removes the broken entry an interrupted npx left for this checkout, links it afresh, and npx gateway then runs without installing', () => {
    const cache = tempDir('gw-npm-cache-')
    const npxCache = join(cache, '_npx')
    const ours = brokenEntry(npxCache, '0123456789abcdef', ROOT)
    const other = tempDir('gw-other-checkout-')
    const theirs = brokenEntry(npxCache, 'fedcba9876543210', other)

    execFileSync(process.execPath, [join(ROOT, 'scripts/npx-link.mjs')], { cwd: ROOT, env: userEnv(cache), stdio: 'pipe' })

    expect(existsSync(ours)).toBe(false)
    expect(existsSync(theirs)).toBe(true)
    const linked = readdirSync(npxCache)
      .map((name) => join(npxCache, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
    expect(linked).toHaveLength(1)
    const entry = linked[0]!
    expect(realpathSync(join(entry, 'node_modules/agent-gateway'))).toBe(ROOT)
    expect(existsSync(join(entry, 'node_modules/.bin/gateway'))).toBe(true)
    expect((JSON.parse(readFileSync(join(entry, 'package.json'), 'utf8')) as { _npx: { packages: string[] } })._npx.packages).toEqual([ROOT])

    // The user's first `npx gateway` finds the entry complete: nothing is installed again.
    const before = lstatSync(join(entry, 'node_modules/agent-gateway')).ino
    const out = execFileSync('npx', ['gateway', '--version'], { cwd: ROOT, env: userEnv(cache), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(out.trim()).toBe(VERSION)
    expect(lstatSync(join(entry, 'node_modules/agent-gateway')).ino).toBe(before)
    expect(readdirSync(npxCache).sort()).toEqual([entry.split('/').at(-1)!, 'fedcba9876543210'].sort())
  }, 60_000)
})
