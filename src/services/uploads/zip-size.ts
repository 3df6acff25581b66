/**
 * The uncompressed bytes a zip says it holds, from its central directory (the end-of-central-
 * directory record, then each entry's size field), read before anything inflates it, so a small
 * DOCX that expands to gigabytes is refused up front. Undefined when the directory cannot be
 * read (the extractor then fails on the file itself). ZIP64 sizes count as unknown (too large).
 */
export function zipUncompressedBytes(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The EOCD record is 22 bytes plus a comment of at most 65535.
  const stop = Math.max(0, bytes.length - 22 - 0xffff)
  let eocd = -1
  for (let at = bytes.length - 22; at >= stop; at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at
      break
    }
  }
  if (eocd < 0) return undefined
  const entries = view.getUint16(eocd + 10, true)
  let at = view.getUint32(eocd + 16, true)
  let total = 0
  for (let i = 0; i < entries; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return undefined
    const size = view.getUint32(at + 24, true)
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY
    total += size
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
  return total
}
