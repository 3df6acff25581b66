import { Parser, type ReadEntry } from 'tar'
import yauzl from 'yauzl'
import { ArchiveError, type ArchiveFormat, type ArchiveLimits } from '../../src/ports/archive'
import { checkRelativePath, type FileEntry, UnsafePathError } from '../../src/ports/directory'

/**
 * Unpacks an untrusted skill archive into memory. Every entry name is checked
 * (`checkRelativePath`: no traversal, absolute paths, backslashes or control characters);
 * links, devices and duplicates (case-insensitively, as on macOS and Windows) are refused; and
 * the limits count the bytes actually inflated, so headers that lie about sizes do not help.
 */
export async function unpackArchive(bytes: Uint8Array, format: ArchiveFormat, limits: ArchiveLimits): Promise<FileEntry[]> {
  const budget = new Budget(limits)
  try {
    return format === 'zip' ? await unzip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), budget) : await untar(bytes, budget)
  } catch (error) {
    if (error instanceof ArchiveError) throw error
    if (error instanceof UnsafePathError) throw new ArchiveError(error.message)
    throw new ArchiveError(`unreadable ${format} archive: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Counts entries and inflated bytes across one archive. */
class Budget {
  #entries = 0
  #total = 0
  readonly #names = new Set<string>()
  constructor(readonly limits: ArchiveLimits) {}

  /** Registers a file entry's name; returns its normalised path. */
  enter(rawName: string): string {
    if (++this.#entries > this.limits.maxEntries) throw new ArchiveError(`the archive has more than ${this.limits.maxEntries} entries`)
    const path = checkRelativePath(rawName)
    const key = path.normalize('NFC').toLowerCase()
    if (this.#names.has(key)) throw new ArchiveError(`duplicate entry ${JSON.stringify(path)}`)
    this.#names.add(key)
    return path
  }

  countDirectory(): void {
    if (++this.#entries > this.limits.maxEntries) throw new ArchiveError(`the archive has more than ${this.limits.maxEntries} entries`)
  }

  /** Adds inflated bytes of one entry; throws past either limit. */
  add(path: string, entryBytes: number, chunk: number): void {
    this.#total += chunk
    if (entryBytes > this.limits.maxEntryBytes) throw new ArchiveError(`${path} inflates to more than ${this.limits.maxEntryBytes} bytes`)
    if (this.#total > this.limits.maxTotalBytes) throw new ArchiveError(`the archive inflates to more than ${this.limits.maxTotalBytes} bytes`)
  }
}

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000

function unzip(buffer: Buffer, budget: Budget): Promise<FileEntry[]> {
  return new Promise((resolve, reject) => {
    // strictFileNames: a backslash is an error, not silently turned into a separator.
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: true, strictFileNames: true, validateEntrySizes: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new ArchiveError('unreadable zip archive'))
      const out: FileEntry[] = []
      let settled = false
      const fail = (error: unknown) => {
        if (settled) return
        settled = true
        zip.close()
        reject(error)
      }
      if (zip.entryCount > budget.limits.maxEntries) return fail(new ArchiveError(`the archive has more than ${budget.limits.maxEntries} entries`))
      zip.on('error', fail)
      zip.on('end', () => {
        if (settled) return
        settled = true
        resolve(out)
      })
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const mode = (entry.externalFileAttributes >>> 16) & S_IFMT
          const isDir = entry.fileName.endsWith('/') || mode === S_IFDIR
          if (isDir) {
            checkRelativePath(entry.fileName)
            budget.countDirectory()
            return zip.readEntry()
          }
          // A Unix mode, when the archiver recorded one, must say "regular file" (not a link or device).
          if (mode !== 0 && mode !== S_IFREG) throw new ArchiveError(`${entry.fileName} is not a regular file (links are refused)`)
          const path = budget.enter(entry.fileName)
          if (entry.uncompressedSize > budget.limits.maxEntryBytes) throw new ArchiveError(`${path} inflates to more than ${budget.limits.maxEntryBytes} bytes`)
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError || !stream) return fail(streamError ?? new ArchiveError(`cannot read ${path}`))
            const chunks: Buffer[] = []
            let size = 0
            stream.on('data', (chunk: Buffer) => {
              size += chunk.length
              try {
                budget.add(path, size, chunk.length)
                chunks.push(chunk)
              } catch (error) {
                stream.destroy()
                fail(error)
              }
            })
            stream.on('error', fail)
            stream.on('end', () => {
              if (settled) return
              out.push({ path, data: new Uint8Array(Buffer.concat(chunks)) })
              zip.readEntry()
            })
          })
        } catch (error) {
          fail(error)
        }
      })
      zip.readEntry()
    })
  })
}

function untar(bytes: Uint8Array, budget: Budget): Promise<FileEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileEntry[] = []
    let failed = false
    const parser = new Parser({
      strict: true,
      // Bounds the inflation of gzip itself (headers and padding included), not just file data.
      maxDecompressionRatio: Math.max(1, Math.ceil(budget.limits.maxTotalBytes / Math.max(bytes.length, 1)) * 2),
      onReadEntry: (entry: ReadEntry) => {
        if (failed) return void entry.resume()
        try {
          if (entry.type === 'Directory') {
            checkRelativePath(entry.path)
            budget.countDirectory()
            return void entry.resume()
          }
          if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
            throw new ArchiveError(`${entry.path} is a ${entry.type} entry (only regular files are allowed)`)
          }
          const path = budget.enter(entry.path)
          if ((entry.size ?? 0) > budget.limits.maxEntryBytes) throw new ArchiveError(`${path} inflates to more than ${budget.limits.maxEntryBytes} bytes`)
          const chunks: Buffer[] = []
          let size = 0
          entry.on('data', (chunk: Buffer) => {
            if (failed) return
            size += chunk.length
            try {
              budget.add(path, size, chunk.length)
              chunks.push(chunk)
            } catch (error) {
              abort(error)
            }
          })
          entry.on('end', () => {
            if (!failed) out.push({ path, data: new Uint8Array(Buffer.concat(chunks)) })
          })
        } catch (error) {
          abort(error)
          entry.resume()
        }
      },
    })
    const abort = (error: unknown) => {
      if (failed) return
      failed = true
      reject(error)
      parser.abort(error instanceof Error ? error : new Error(String(error)))
    }
    parser.on('error', abort)
    parser.on('warn', (_code: string, message: string | Error) => abort(new ArchiveError(String(message))))
    parser.on('end', () => {
      if (!failed) resolve(out)
    })
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  })
}
