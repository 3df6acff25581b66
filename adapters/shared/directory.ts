import { lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { checkRelativePath, DirectoryExistsError, type DirectoryEntry, type DirectoryPort, type FileEntry, UnsafePathError } from '../../src/ports/directory'

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

/**
 * The filesystem behind `DirectoryPort`: every path is checked (`checkRelativePath`), resolved
 * under the root, and walked with `lstat` so a symbolic link planted inside the tree is never
 * followed. Writes go to a temp directory in the root and are renamed into place.
 */
export function openDirectory(rootPath: string): DirectoryPort {
  const root = resolve(rootPath)

  /** The absolute path of a checked relative path; refuses symlinks on the way (`mustExist` parts only). */
  async function locate(path: string): Promise<string> {
    const clean = checkRelativePath(path)
    const full = resolve(root, ...clean.split('/'))
    const rel = relative(root, full)
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UnsafePathError(`path escapes the directory: ${path}`)
    let current = root
    for (const part of rel.split(sep)) {
      current = join(current, part)
      try {
        if ((await lstat(current)).isSymbolicLink()) throw new UnsafePathError(`symbolic link in path: ${path}`)
      } catch (error) {
        if (code(error) === 'ENOENT') break
        throw error
      }
    }
    return full
  }

  return {
    root,
    async readText(path, maxBytes) {
      const full = await locate(path)
      let handle
      try {
        // O_NOFOLLOW-like: lstat above refused links; open then read at most maxBytes + 1.
        handle = await open(full, 'r')
      } catch (error) {
        if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined
        throw error
      }
      try {
        const stat = await handle.stat()
        if (!stat.isFile()) return undefined
        if (stat.size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`)
        const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1)
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
        if (bytesRead > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`)
        return buffer.subarray(0, bytesRead).toString('utf8')
      } finally {
        await handle.close()
      }
    },
    async list(path) {
      const full = path === '' ? root : await locate(path)
      let entries
      try {
        entries = await readdir(full, { withFileTypes: true })
      } catch (error) {
        if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return []
        throw error
      }
      return entries
        .map((e): DirectoryEntry => ({ name: e.name, kind: e.isSymbolicLink() ? 'symlink' : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other' }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    },
    async ensureDir(path) {
      const full = await locate(path)
      await mkdir(full, { recursive: true, mode: 0o700 })
      return full
    },
    async writeDirAtomic(path, files, options = {}) {
      const target = await locate(path)
      await mkdir(dirname(target), { recursive: true, mode: 0o700 })
      const temp = join(dirname(target), `.tmp-${crypto.randomUUID()}`)
      await mkdir(temp, { mode: 0o700 })
      try {
        await writeTree(temp, files)
        if (options.replace) {
          const old = join(dirname(target), `.old-${crypto.randomUUID()}`)
          const moved = await rename(target, old).then(() => true, (error) => {
            if (code(error) === 'ENOENT') return false
            throw error
          })
          try {
            await rename(temp, target)
          } catch (error) {
            if (moved) await rename(old, target)
            throw error
          }
          if (moved) await rm(old, { recursive: true, force: true })
        } else {
          try {
            await rename(temp, target)
          } catch (error) {
            // POSIX rename replaces an empty directory; a non-empty one fails with ENOTEMPTY/EEXIST.
            if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST' || code(error) === 'EISDIR') throw new DirectoryExistsError(`${path} already exists`)
            throw error
          }
        }
      } catch (error) {
        await rm(temp, { recursive: true, force: true })
        throw error
      }
    },
    async removeDir(path) {
      const full = await locate(path)
      try {
        await lstat(full)
      } catch (error) {
        if (code(error) === 'ENOENT') return false
        throw error
      }
      // Rename first so a reader never sees a half-removed tree, then delete.
      const doomed = join(dirname(full), `.del-${crypto.randomUUID()}`)
      await rename(full, doomed)
      await rm(doomed, { recursive: true, force: true })
      return true
    },
  }
}

async function writeTree(dir: string, files: ReadonlyArray<FileEntry>): Promise<void> {
  for (const file of files) {
    const clean = checkRelativePath(file.path)
    const full = join(dir, ...clean.split('/'))
    await mkdir(dirname(full), { recursive: true, mode: 0o700 })
    // `wx`: a duplicate name is an error, never an overwrite.
    await writeFile(full, file.data, { flag: 'wx', mode: 0o600 })
  }
}
