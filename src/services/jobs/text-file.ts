const SNIFF_BYTES = 8 * 1024

/**
 * UTF-8 text of a file's bytes, or null when it is binary (a NUL byte early on, or invalid UTF-8).
 * When the bytes are a cut-off beginning, a character split at the cut is dropped, not an error.
 */
export function decodeText(bytes: Uint8Array, cut: boolean): string | null {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return null
  const decoder = new TextDecoder('utf-8', { fatal: true })
  // A UTF-8 sequence is at most 4 bytes: try dropping up to 3 trailing bytes of a cut file.
  for (let drop = 0; drop <= (cut ? 3 : 0); drop++) {
    try {
      return decoder.decode(bytes.subarray(0, bytes.length - drop))
    } catch {
      // try a shorter cut
    }
  }
  return null
}
