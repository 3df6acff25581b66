import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '../..')
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/** The names a module exports by name (`export { a, type B as C }`, `export const d`, ...). */
function exportedNames(source: string): string[] {
  const names: string[] = []
  for (const [, list] of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const item of list!.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim()
      if (name) names.push(name)
    }
  }
  for (const [, name] of source.matchAll(/^export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function|class|interface|type|enum)\s+(\w+)/gm)) names.push(name!)
  return names
}

describe('the public API', () => {
  it('keeps the root entry small (named exports only, at most 60), so an internal move is not a breaking change', () => {
    const root = read('src/index.ts')
    expect(root).not.toMatch(/^export \*/m)
    const names = exportedNames(root)
    expect(new Set(names).size).toBe(names.length)
    expect(names.length).toBeLessThanOrEqual(60)
    expect(names).toEqual(expect.arrayContaining(['createGateway', 'GatewayError', 'Services', 'JobsPort', 'TurnStore']))
  })

  it("has one entry per subpath in package.json, tsup, tsconfig and vitest, pointing at the same source", async () => {
    const pkg = JSON.parse(read('package.json')) as { exports: Record<string, string | { types: string; import: string }> }
    const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { paths: Record<string, string[]> } }
    const tsup = read('tsup.config.ts')
    const vitest = (await import('../../vitest.config')).default as { resolve: { alias: Array<{ find: RegExp; replacement: string }> } }
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json')
    for (const subpath of subpaths) {
      const entry = pkg.exports[subpath] as { types: string; import: string }
      const name = /^\.\/dist\/(\w+)\.js$/.exec(entry.import)?.[1]
      expect(entry.types, subpath).toBe(`./dist/${name}.d.ts`)
      const specifier = subpath === '.' ? 'agent-gateway' : `agent-gateway/${subpath.slice(2)}`
      const source = tsconfig.compilerOptions.paths[specifier]?.[0]?.replace(/^\.\//, '')
      expect(source, specifier).toBeDefined()
      expect(tsup, specifier).toContain(`${name}: '${source}'`)
      const alias = vitest.resolve.alias.find((a) => a.find.test(specifier))
      expect(alias && join(ROOT, specifier.replace(alias.find, alias.replacement.slice(ROOT.length + 1))), specifier).toBe(join(ROOT, source!))
    }
    expect(Object.keys(tsconfig.compilerOptions.paths).sort()).toEqual(subpaths.map((s) => (s === '.' ? 'agent-gateway' : `agent-gateway/${s.slice(2)}`)).sort())
  })

  it('exports the same names from every runtime adapter: the import path picks the runtime', () => {
    const shared = ['createGateway', 'serveGateway', 'RunningServer', 'openStore', 'openSqliteStore', 'openPostgresStore', 'createRuntime', 'systemCapabilities', 'createSandbox', 'startGateway', 'StartingGateway', 'lockDataDir', 'ownerToken']
    for (const runtime of ['node', 'bun', 'deno']) {
      const source = read(`adapters/${runtime}/index.ts`)
      expect(exportedNames(source), runtime).toEqual(expect.arrayContaining(shared))
      expect(source, runtime).toMatch(/^export \* from '\.\.\/\.\.\/src\/index'$/m)
    }
  })
})
