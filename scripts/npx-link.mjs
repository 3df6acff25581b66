// Run by `postprepare` after the build, when this checkout is installed (`npm install`, `npm ci`):
// links the checkout into npm's npx cache, so the README's `npx gateway` finds it there and runs
// the build at once.
//
// Why: in a folder whose package.json has a `gateway` bin, `npx gateway` always installs that
// folder into `<cache>/_npx/<hash>` (a link; libnpmexec checks the package's own bin before
// node_modules/.bin). npm writes that link before the folder's package.json and does not remove it
// when the install is interrupted, so a Ctrl-C in those few milliseconds left a cache entry that
// makes every later `npx gateway` fail with `ENOENT .../_npx/<hash>/package.json`. Done here, the
// user's first `npx gateway` finds the entry complete and changes nothing; and running
// `npm install` again removes such a broken entry (whoever interrupted it) and links it afresh.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = realpathSync(fileURLToPath(new URL('..', import.meta.url)))
const name = 'agent-gateway'

const npm = (args) => {
  // The npm running this install (its CLI script), else the one on PATH.
  const cli = process.env.npm_execpath
  const [command, argv] = cli && cli.endsWith('.js') ? [process.execPath, [cli, ...args]] : [process.platform === 'win32' ? 'npm.cmd' : 'npm', args]
  return execFileSync(command, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' })
}

/**
 * npm's cache folder. npm exports `npm_config_cache` to scripts only when it is not the default
 * (set in an .npmrc, the environment or the command line), so under npm its absence means the
 * default; run by hand, ask npm.
 */
function npmCache() {
  if (process.env.npm_config_cache) return process.env.npm_config_cache
  if (!process.env.npm_lifecycle_event) return npm(['config', 'get', 'cache']).trim()
  const home = process.env.HOME || homedir()
  return process.platform === 'win32' ? join(process.env.LOCALAPPDATA || home, 'npm-cache') : join(home, '.npm')
}

const inside = (path, dir) => {
  const rel = relative(dir, path)
  return !rel.startsWith('..') && !isAbsolute(rel)
}

/** npx cache entries for this checkout that an interrupted install left without a package.json. */
function brokenEntries(npxCache) {
  if (!existsSync(npxCache)) return []
  return readdirSync(npxCache).flatMap((entry) => {
    const dir = join(npxCache, entry)
    const link = join(dir, 'node_modules', name)
    try {
      if (existsSync(join(dir, 'package.json')) || !lstatSync(link).isSymbolicLink()) return []
      return realpathSync(link) === root ? [dir] : []
    } catch {
      return []
    }
  })
}

try {
  const configured = npmCache()
  const cache = existsSync(configured) ? realpathSync(configured) : configured
  // A git dependency is prepared in a temporary clone under the cache: nothing to link there.
  if (!inside(root, cache)) {
    for (const dir of brokenEntries(join(cache, '_npx'))) rmSync(dir, { recursive: true, force: true })
    // npm itself makes the entry (its hash, its layout), exactly as the user's `npx gateway` would.
    npm(['exec', '--yes', '--no-audit', '--no-fund', '--', 'gateway', '--version'])
  }
} catch (error) {
  // Never fails the install: the first `npx gateway` then links the checkout itself.
  const detail = String(error?.stderr || error?.message || error).trim().split('\n').slice(-3).join(' ')
  console.warn(`npx-link: could not link this checkout into npm's npx cache (${detail}); the first npx gateway will`)
}
