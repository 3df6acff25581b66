import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isWithin, parseUrlPath, parseWorkspacePath } from '../../src/services/jobs/workspace-path'
import { WorkspacePathError } from '../../src/exports/ports'

const problem = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return error instanceof WorkspacePathError ? error.problem : 'other'
  }
}

describe('parseWorkspacePath (lexical check of API and tool paths)', () => {
  it('normalises relative paths inside the workspace', () => {
    expect(parseWorkspacePath('')).toEqual([])
    expect(parseWorkspacePath('/')).toEqual([])
    expect(parseWorkspacePath('./a//b/./c')).toEqual(['a', 'b', 'c'])
    expect(parseWorkspacePath('a/b/../c')).toEqual(['a', 'c'])
    // A leading / is the workspace root, not the host's: /etc/passwd is <workspace>/etc/passwd.
    expect(parseWorkspacePath('/etc/passwd')).toEqual(['etc', 'passwd'])
    expect(parseWorkspacePath('//etc/passwd')).toEqual(['etc', 'passwd'])
    // Percent-encoding is not decoded here (the query string already was): a literal name.
    expect(parseWorkspacePath('%2e%2e/x')).toEqual(['%2e%2e', 'x'])
    expect(parseWorkspacePath('．．／x')).toEqual(['．．／x'])
  })

  it('refuses climbing out, NUL, control characters and backslashes', () => {
    expect(problem(() => parseWorkspacePath('../x'))).toBe('outside')
    expect(problem(() => parseWorkspacePath('a/../../x'))).toBe('outside')
    expect(problem(() => parseWorkspacePath('/..'))).toBe('outside')
    expect(problem(() => parseWorkspacePath('../job10/s'))).toBe('outside')
    expect(problem(() => parseWorkspacePath('a.md\u0000.png'))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('a\nb'))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('..\\..\\x'))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('C:\\x'))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('\\\\host\\share'))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('a/'.repeat(3000)))).toBe('invalid')
    expect(problem(() => parseWorkspacePath('x'.repeat(300)))).toBe('invalid')
  })
})

describe('parseUrlPath (/projects path tails, decoded once per segment)', () => {
  it('decodes each segment exactly once', () => {
    expect(parseUrlPath('a%20b/c.html')).toEqual(['a b', 'c.html'])
    expect(parseUrlPath('%252e%252e%252f')).toEqual(['%2e%2e%2f'])
    expect(parseUrlPath('')).toEqual([])
    expect(parseUrlPath('dir/')).toEqual(['dir'])
  })

  it('refuses encoded separators, NUL and bad encodings', () => {
    expect(problem(() => parseUrlPath('..%2fsecret'))).toBe('invalid')
    expect(problem(() => parseUrlPath('..%2F..%2Fetc%2Fpasswd'))).toBe('invalid')
    expect(problem(() => parseUrlPath('..%5cx'))).toBe('invalid')
    expect(problem(() => parseUrlPath('a.md%00.png'))).toBe('invalid')
    expect(problem(() => parseUrlPath('%c0%ae%c0%ae/x'))).toBe('invalid')
    expect(problem(() => parseUrlPath('%E0%A4%A'))).toBe('invalid')
    expect(problem(() => parseUrlPath('%2e%2e/x'))).toBe('outside')
  })
})

describe('isWithin', () => {
  it('compares whole segments (job1 does not contain job10)', () => {
    expect(isWithin('/w/job1', '/w/job1')).toBe(true)
    expect(isWithin('/w/job1', '/w/job1/a')).toBe(true)
    expect(isWithin('/w/job1', '/w/job10')).toBe(false)
    expect(isWithin('/w/job1', '/w/job10/s')).toBe(false)
    expect(isWithin('/w/job1', '/w')).toBe(false)
    expect(isWithin('/', '/etc')).toBe(true)
  })
})

/** A model of POSIX path resolution: where a path would land if handed to the OS from `root`. */
function osResolve(root: string[], path: string): string[] {
  const out = [...root]
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return out
}

describe('property: generated paths stay in the workspace or are refused', () => {
  const piece = fc.oneof(
    fc.constantFrom('..', '.', '', 'a', 'job1', 'job10', '...', '%2e%2e', '%2f', '%00', '\\', '..\\', 'C:', '\u0000', '．．', '%c0%ae', '~', '\n'),
    fc.string({ maxLength: 6 }),
  )
  const path = fc.array(piece, { maxLength: 12 }).chain((parts) => fc.constantFrom(parts.join('/'), `/${parts.join('/')}`))

  it('parseWorkspacePath never returns a path that resolves outside the root', () => {
    const root = ['w', 'job1']
    fc.assert(
      fc.property(path, (p) => {
        let segments: string[]
        try {
          segments = parseWorkspacePath(p)
        } catch (error) {
          expect(error).toBeInstanceOf(WorkspacePathError)
          return
        }
        for (const s of segments) {
          expect(s).not.toMatch(/[\\/\u0000]/)
          expect(['', '.', '..']).not.toContain(s)
        }
        const landed = osResolve(root, segments.join('/'))
        expect(landed.slice(0, 2)).toEqual(root)
        expect(isWithin('/w/job1', `/${landed.join('/')}`)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('parseUrlPath never returns a segment that is a separator, a dot segment or holds NUL', () => {
    const encoded = fc.array(fc.tuple(piece, fc.boolean()), { maxLength: 10 }).map((parts) => parts.map(([p, encode]) => (encode ? encodeURIComponent(p) : p)).join('/'))
    fc.assert(
      fc.property(encoded, (p) => {
        let segments: string[]
        try {
          segments = parseUrlPath(p)
        } catch (error) {
          expect(error).toBeInstanceOf(WorkspacePathError)
          return
        }
        for (const s of segments) {
          expect(s).not.toMatch(/[\\/\u0000]/)
          expect(['', '.', '..']).not.toContain(s)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
