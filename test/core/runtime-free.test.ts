import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(__dirname, '../../src')
const FORBIDDEN = [
  /from\s+['"]node:/,
  /import\(\s*['"]node:/,
  /from\s+['"](ws|@hono\/node-server[^'"]*|better-sqlite3|pg|bun:[^'"]*|hono\/bun|hono\/deno)['"]/,
  /require\(/,
  /\b(Deno|Bun)\./,
  /\bprocess\.(env|exit|argv|cwd|on)\b/,
  /\bBuffer\./,
  /\b__dirname\b/,
]

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('src/ is runtime-agnostic', () => {
  it('imports no runtime module and touches no runtime global', () => {
    const offenders: string[] = []
    for (const file of files(SRC)) {
      const lines = readFileSync(file, 'utf8').split('\n')
      lines.forEach((line, i) => {
        if (line.trim().startsWith('//') || line.trim().startsWith('*')) return
        for (const pattern of FORBIDDEN) if (pattern.test(line)) offenders.push(`${relative(SRC, file)}:${i + 1}: ${line.trim()}`)
      })
    }
    expect(offenders).toEqual([])
  })

  it('catches a violation (the scanner itself works)', () => {
    expect(FORBIDDEN.some((p) => p.test("import { readFile } from 'node:fs/promises'"))).toBe(true)
    expect(FORBIDDEN.some((p) => p.test('const port = process.env.PORT'))).toBe(true)
    expect(FORBIDDEN.some((p) => p.test("import { WebSocketServer } from 'ws'"))).toBe(true)
  })
})
