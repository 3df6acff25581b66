import { gzipSync } from 'node:zlib'
import { Header } from 'tar'
import yazl from 'yazl'

export interface ZipFile {
  name: string
  data?: string | Buffer
  /** Unix mode, e.g. 0o120777 for a symbolic link. */
  mode?: number
  compress?: boolean
}

/**
 * Builds a zip with yazl. yazl refuses hostile names, so a name that yazl would reject is added
 * under a placeholder of the same byte length and patched in the finished bytes (local header
 * and central directory alike), which is what a hand-made evil zip looks like.
 */
export async function makeZip(files: ZipFile[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  const patches: Array<[Buffer, Buffer]> = []
  files.forEach((file, i) => {
    let name = file.name
    if (/^[\\/]|^[a-zA-Z]:|(^|[\\/])\.\.([\\/]|$)|\\/.test(name)) {
      const placeholder = `${String(i).padStart(4, '0')}${'x'.repeat(Math.max(0, Buffer.byteLength(name) - 4))}`.slice(0, Buffer.byteLength(name))
      if (Buffer.byteLength(placeholder) !== Buffer.byteLength(name)) throw new Error('evil names need at least 4 bytes')
      patches.push([Buffer.from(placeholder), Buffer.from(name)])
      name = placeholder
    }
    zip.addBuffer(Buffer.from(file.data ?? ''), name, { ...(file.mode !== undefined ? { mode: file.mode } : {}), compress: file.compress ?? true })
  })
  zip.end()
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer)
  let out: Buffer = Buffer.concat(chunks)
  for (const [from, to] of patches) out = replaceAll(out, from, to)
  return out
}

/** Replaces every occurrence of `from` with `to` (same length). */
export function replaceAll(buffer: Buffer, from: Buffer, to: Buffer): Buffer {
  // Same-length swap in a copy; offsets are unchanged.
  const out = Buffer.from(buffer)
  let at = out.indexOf(from)
  while (at !== -1) {
    to.copy(out, at)
    at = out.indexOf(from, at + from.length)
  }
  return out
}

export interface TarFile {
  path: string
  data?: string | Buffer
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link'
  linkpath?: string
}

/** Builds a tar.gz with tar's `Header` (which encodes any path as given), then gzips it. */
export function makeTarGz(files: TarFile[]): Buffer {
  const blocks: Buffer[] = []
  for (const file of files) {
    const data = Buffer.from(file.data ?? '')
    const type = file.type ?? 'File'
    const size = type === 'File' ? data.length : 0
    const header = new Header({ path: file.path, mode: type === 'Directory' ? 0o755 : 0o644, size, mtime: new Date(0), type, ...(file.linkpath ? { linkpath: file.linkpath } : {}) })
    const block = Buffer.alloc(512)
    header.encode(block, 0)
    blocks.push(block)
    if (size > 0) {
      blocks.push(data)
      blocks.push(Buffer.alloc((512 - (size % 512)) % 512))
    }
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

/** A SKILL.md with the given front matter fields and body. */
export function skillMd(fields: Record<string, unknown>, body = 'Follow these steps.'): string {
  const yaml = Object.entries(fields)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v)}`)
    .join('\n')
  return `---\n${yaml}\n---\n\n${body}\n`
}
