import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The layers of src/, bottom first (docs/architecture.md). A file imports its own layer or lower
 * ones, never a higher one, type-only imports included: a lower layer that names a higher one's
 * type still has to change when it moves.
 */
const LAYERS: ReadonlyArray<readonly [name: string, paths: readonly string[]]> = [
  ['lib', ['lib/', 'version.ts', 'generated/']],
  ['protocol', ['protocol/']],
  ['config', ['config/']],
  ['ports', ['ports/']],
  ['store', ['store/']],
  ['bus', ['bus/']],
  ['middleware', ['middleware/']],
  ['hub', ['hub/']],
  ['auth', ['auth/']],
  ['logging', ['logging/']],
  ['net', ['net/']],
  ['llm', ['llm/']],
  ['tools', ['tools/']],
  ['ws', ['ws/']],
  ['services', ['services/']],
  ['agent', ['agent/']],
  ['routes', ['routes/']],
  ['gateway', ['gateway/']],
  // The package's entry points (`agent-gateway`, `agent-gateway/protocol`, ...): re-exports only.
  ['index', ['index.ts', 'exports/']],
]

const SRC = join(__dirname, '../../src')
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(path) ? [path] : []
  })
}

/** src-relative paths a file imports (relative specifiers only; packages are not layers). */
export function importsOf(source: string, file: string): string[] {
  const out: string[] = []
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!
    if (spec.startsWith('.')) out.push(relative(SRC, normalize(join(dirname(file), spec))))
  }
  return out
}

const layerOf = (path: string): number => LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p) || `${path}.ts` === p))

/** `services/<x>/port.ts` (and `*-port.ts`): what a subsystem promises, as opposed to how it does it. */
const isPort = (path: string): boolean => /^services\/[^/]+\/(port|[a-z-]+-port)(\.ts)?$/.test(path)
/** The layers that build the default implementations (and export them), so they see inside subsystems. */
const COMPOSERS = new Set(['gateway', 'index'])
const subsystemOf = (path: string): string | undefined => /^services\/([^/]+)\//.exec(path)?.[1]

/** Every import that breaks the direction, as `from -> to (why)`. */
export function violations(entries: Iterable<[file: string, imports: string[]]>): string[] {
  const found: string[] = []
  for (const [file, imports] of entries) {
    const from = layerOf(file)
    for (const target of imports) {
      const to = layerOf(target)
      const say = (why: string) => found.push(`${file} -> ${target} (${why})`)
      if (from < 0) say('file outside every layer')
      else if (to < 0) say('import outside every layer')
      else if (to > from) say(`${LAYERS[from]![0]} may not import ${LAYERS[to]![0]}`)
      else if (isPort(file) && /^(store|bus)\//.test(target)) say('a port names no storage, so any implementation can satisfy it')
      else if (subsystemOf(file) !== undefined && target === 'services/services') say('a subsystem takes its siblings by name, not the whole aggregate')
      else if (LAYERS[to]![0] === 'services' && !isPort(target) && !COMPOSERS.has(LAYERS[from]![0])) {
        const mine = subsystemOf(file)
        const theirs = subsystemOf(target)
        // A subsystem uses its siblings through their ports; the layers above see ports and the aggregate only.
        if (LAYERS[from]![0] === 'services' ? mine !== theirs && theirs !== undefined : target !== 'services/services') {
          say('a subsystem is reached through its port.ts')
        }
      }
    }
  }
  return found
}

describe('imports point one way', () => {
  it('no layer of src/ imports a higher one, and subsystems meet through their ports', () => {
    const entries = files(SRC).map((file): [string, string[]] => [relative(SRC, file).replace(/\.tsx?$/, ''), importsOf(readFileSync(file, 'utf8'), file)])
    expect(violations(entries)).toEqual([])
  })

  it('catches a violation (the checker itself works)', () => {
    expect(violations([['store/database', ['gateway/create-gateway']]])).toEqual(['store/database -> gateway/create-gateway (store may not import gateway)'])
    expect(violations([['routes/jobs', ['services/jobs/jobs-service']]])).toHaveLength(1)
    expect(violations([['services/routines/routine-runner', ['services/jobs/jobs-service']]])).toHaveLength(1)
    expect(violations([['services/routines/routine-runner', ['services/jobs/port', 'services/routines/routine-repository', 'lib/errors']]])).toEqual([])
    expect(violations([['services/jobs/port', ['store/database']]])).toHaveLength(1)
    expect(violations([['services/users/create-users-service', ['services/services']]])).toHaveLength(1)
    expect(importsOf("import type { X } from '../ports/env'\nconst m = await import('./y')", join(SRC, 'hub/a.ts'))).toEqual(['ports/env', 'hub/y'])
  })
})
