import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { createWorkspaceFs } from '../../adapters/node/index'
import { parseWorkspacePath } from '../../src/services/jobs/workspace-path'
import { WorkspacePathError } from '../../src/exports/ports'
import { tempDir } from '../support/store'

const fs = createWorkspaceFs()
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

async function problem(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run()
    return undefined
  } catch (error) {
    return error instanceof WorkspacePathError ? error.problem : `other: ${(error as Error).message}`
  }
}

/**
 * <base>/jobs/job1/workspace (the root under test) next to <base>/jobs/job10/workspace (a sibling
 * whose name starts the same) and <base>/secret.txt (outside both).
 */
function layout() {
  const base = tempDir('gw-wsfs-')
  const root = join(base, 'jobs/job1/workspace')
  const sibling = join(base, 'jobs/job10/workspace')
  mkdirSync(join(root, 'sub'), { recursive: true })
  mkdirSync(sibling, { recursive: true })
  writeFileSync(join(root, 'a.txt'), 'INSIDE a')
  writeFileSync(join(root, 'sub/b.txt'), 'INSIDE b')
  writeFileSync(join(sibling, 's'), 'OUTSIDE sibling')
  writeFileSync(join(base, 'secret.txt'), 'OUTSIDE secret')
  symlinkSync('/etc', join(root, 'etc-link'))
  symlinkSync(sibling, join(root, 'sibling-link'))
  symlinkSync('../../job10/workspace/s', join(root, 'relative-escape'))
  symlinkSync(join(base, 'secret.txt'), join(root, 'secret-link'))
  symlinkSync('sub/b.txt', join(root, 'inside-link'))
  symlinkSync('nowhere', join(root, 'dangling'))
  return { base, root, sibling }
}

describe('node WorkspaceFs: confined reads', () => {
  let l: ReturnType<typeof layout>
  beforeEach(() => {
    l = layout()
  })

  it('reads files and in-root symlinks', async () => {
    expect(text((await fs.read(l.root, ['a.txt'], 100)).bytes)).toBe('INSIDE a')
    expect(text((await fs.read(l.root, ['inside-link'], 100)).bytes)).toBe('INSIDE b')
    const cut = await fs.read(l.root, ['a.txt'], 3)
    expect(text(cut.bytes)).toBe('INS')
    expect(cut.size).toBe(8)
  })

  it('refuses symlinks that leave the workspace: to /etc, to a sibling job, relative, to a file outside', async () => {
    expect(await problem(() => fs.read(l.root, ['etc-link', 'passwd'], 100))).toBe('outside')
    expect(await problem(() => fs.list(l.root, ['etc-link']))).toBe('outside')
    expect(await problem(() => fs.read(l.root, ['sibling-link', 's'], 100))).toBe('outside')
    expect(await problem(() => fs.read(l.root, ['relative-escape'], 100))).toBe('outside')
    expect(await problem(() => fs.read(l.root, ['secret-link'], 100))).toBe('outside')
    expect(await problem(() => fs.stat(l.root, ['secret-link']))).toBe('outside')
    expect(await problem(() => fs.open(l.root, ['secret-link']))).toBe('outside')
  })

  it('job1 cannot reach job10 by name prefix', async () => {
    // What a naive startsWith check would let through: <base>/jobs/job10/... starts with <base>/jobs/job1.
    const jobs = join(l.base, 'jobs')
    const job1 = join(jobs, 'job1')
    expect(await problem(() => fs.read(job1, ['..', 'job10', 'workspace', 's'], 100))).toBe('outside')
    symlinkSync(join(jobs, 'job10'), join(job1, 'to10'))
    expect(await problem(() => fs.read(job1, ['to10', 'workspace', 's'], 100))).toBe('outside')
  })

  it('reports missing paths, directories and dangling links', async () => {
    expect(await problem(() => fs.read(l.root, ['nope.txt'], 100))).toBe('not_found')
    expect(await problem(() => fs.read(l.root, ['sub'], 100))).toBe('not_a_file')
    expect(await problem(() => fs.list(l.root, ['a.txt']))).toBe('not_a_directory')
    expect(await problem(() => fs.read(l.root, ['dangling'], 100))).toBe('not_found')
    expect(await problem(() => fs.read(join(l.base, 'missing'), ['a.txt'], 100))).toBe('not_found')
  })

  it('lists entries, showing escaping links without following them', async () => {
    const entries = await fs.list(l.root, [])
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]))
    expect(byName['a.txt']).toMatchObject({ kind: 'file', size: 8 })
    expect(byName.sub).toMatchObject({ kind: 'directory' })
    expect(byName['inside-link']).toMatchObject({ kind: 'file', size: 8 })
    expect(byName['etc-link']).toMatchObject({ kind: 'symlink', size: null })
    expect(byName['sibling-link']).toMatchObject({ kind: 'symlink', size: null })
  })

  it('does not hang on a FIFO a job left behind', async () => {
    execFileSync('mkfifo', [join(l.root, 'pipe')])
    expect(await problem(() => fs.read(l.root, ['pipe'], 100))).toBe('not_a_file')
  })
})

describe('node WorkspaceFs: confined writes', () => {
  let l: ReturnType<typeof layout>
  beforeEach(() => {
    l = layout()
  })

  it('writes, appends and creates parents inside the workspace', async () => {
    await fs.write(l.root, ['new', 'deep', 'c.txt'], new TextEncoder().encode('one'))
    await fs.write(l.root, ['new', 'deep', 'c.txt'], new TextEncoder().encode('+two'), { append: true })
    expect(readFileSync(join(l.root, 'new/deep/c.txt'), 'utf8')).toBe('one+two')
    await fs.write(l.root, ['a.txt'], new TextEncoder().encode('short'))
    expect(readFileSync(join(l.root, 'a.txt'), 'utf8')).toBe('short')
  })

  it('refuses to write through a symlinked parent or file that leaves, and leaves the target unchanged', async () => {
    expect(await problem(() => fs.write(l.root, ['sibling-link', 's'], new TextEncoder().encode('pwned')))).toBe('outside')
    expect(await problem(() => fs.write(l.root, ['sibling-link', 'new', 'x'], new TextEncoder().encode('pwned')))).toBe('outside')
    expect(await problem(() => fs.write(l.root, ['secret-link'], new TextEncoder().encode('pwned')))).toBe('outside')
    expect(await problem(() => fs.write(l.root, ['etc-link', 'gw-test'], new TextEncoder().encode('pwned')))).toBe('outside')
    expect(await problem(() => fs.write(l.root, ['dangling'], new TextEncoder().encode('pwned')))).toBe('outside')
    expect(readFileSync(join(l.sibling, 's'), 'utf8')).toBe('OUTSIDE sibling')
    expect(readFileSync(join(l.base, 'secret.txt'), 'utf8')).toBe('OUTSIDE secret')
    expect(() => readFileSync(join(l.sibling, 'new/x'))).toThrow()
    expect(() => readFileSync('/etc/gw-test')).toThrow()
    // Writing through an in-root link is fine.
    await fs.write(l.root, ['inside-link'], new TextEncoder().encode('via link'))
    expect(readFileSync(join(l.root, 'sub/b.txt'), 'utf8')).toBe('via link')
  })

  it('survives a directory being swapped for an escaping symlink while it reads (TOCTOU)', async () => {
    // A job flips sub/ between a real directory and a link to the sibling job as fast as it can.
    const dir = join(l.root, 'flip')
    mkdirSync(dir)
    writeFileSync(join(dir, 's'), 'INSIDE flip')
    const parked = join(l.root, 'flip-real')
    let flipping = true
    const flipper = (async () => {
      let linked = false
      while (flipping) {
        try {
          if (linked) {
            rmSync(dir)
            renameSync(parked, dir)
          } else {
            renameSync(dir, parked)
            symlinkSync(l.sibling, dir)
          }
          linked = !linked
        } catch {
          // a racing rename; keep flipping
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    const seen = new Set<string>()
    for (let i = 0; i < 300; i++) {
      try {
        seen.add(text((await fs.read(l.root, ['flip', 's'], 100)).bytes))
      } catch (error) {
        expect(error).toBeInstanceOf(WorkspacePathError)
      }
      try {
        await fs.write(l.root, ['flip', 's'], new TextEncoder().encode('INSIDE flip'))
      } catch (error) {
        expect(error).toBeInstanceOf(WorkspacePathError)
      }
    }
    flipping = false
    await flipper
    expect([...seen].filter((s) => s.includes('OUTSIDE'))).toEqual([])
    expect(readFileSync(join(l.sibling, 's'), 'utf8')).toBe('OUTSIDE sibling')
  })
})

describe('property: any generated path either reads workspace content or is refused', () => {
  it('never returns a byte from outside the workspace', async () => {
    const l = layout()
    const names = fc.constantFrom('..', '.', 'a.txt', 'sub', 'b.txt', 'etc-link', 'passwd', 'sibling-link', 's', 'relative-escape', 'secret-link', 'inside-link', 'job10', 'workspace', 'secret.txt', 'jobs', '', 'dangling')
    await fc.assert(
      fc.asyncProperty(fc.array(names, { maxLength: 6 }), fc.boolean(), async (parts, leadingSlash) => {
        let segments: string[]
        try {
          segments = parseWorkspacePath((leadingSlash ? '/' : '') + parts.join('/'))
        } catch (error) {
          expect(error).toBeInstanceOf(WorkspacePathError)
          return
        }
        try {
          const { bytes } = await fs.read(l.root, segments, 1000)
          expect(text(bytes)).toMatch(/^INSIDE/)
        } catch (error) {
          expect(error).toBeInstanceOf(WorkspacePathError)
        }
      }),
      { numRuns: 400 },
    )
  })
})
