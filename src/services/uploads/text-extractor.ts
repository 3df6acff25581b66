import { GatewayError } from '../../lib/errors'
import type { DocumentTextExtractor } from './port'
import { zipUncompressedBytes } from './zip-size'

/** A DOCX may expand to at most this much XML (its text is a small part of it). */
const MAX_DOCX_EXPANDED_BYTES = 64 * 1024 * 1024

type Unpdf = typeof import('unpdf')
type Mammoth = typeof import('mammoth')

let unpdf: Promise<Unpdf> | undefined
let mammoth: Promise<Mammoth> | undefined

const unreadable = (name: string, what: string, error: unknown): GatewayError =>
  new GatewayError(422, 'unreadable_file', `Could not read the text of ${name}: it is not a valid ${what} (${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'})`)

/**
 * Text from PDFs (`unpdf`, Mozilla's pdf.js built for any runtime) and DOCX files (`mammoth`).
 * Both are loaded on first use: they are large, and a gateway that never sees an upload never
 * pays for them. Neither needs a runtime API for bytes in memory.
 */
export const libraryTextExtractor: DocumentTextExtractor = {
  async pdf(name, bytes) {
    const lib = await (unpdf ??= import('unpdf'))
    try {
      // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
      const doc = await lib.getDocumentProxy(bytes.slice(), { verbosity: 0 })
      try {
        const { text } = await lib.extractText(doc, { mergePages: false })
        return text.map((page) => page.trim()).filter(Boolean).join('\n\n')
      } finally {
        await doc.destroy()
      }
    } catch (error) {
      throw unreadable(name, 'PDF', error)
    }
  },
  async docx(name, bytes) {
    const expanded = zipUncompressedBytes(bytes)
    if (expanded !== undefined && expanded > MAX_DOCX_EXPANDED_BYTES) {
      throw new GatewayError(413, 'file_too_large', `${name} expands to more than ${MAX_DOCX_EXPANDED_BYTES} bytes when unzipped`)
    }
    const lib = (await (mammoth ??= import('mammoth'))) as Mammoth & { default?: Mammoth }
    const api = lib.default ?? lib
    try {
      // mammoth's `buffer` input goes straight to JSZip, which reads any Uint8Array.
      const result = await api.extractRawText({ buffer: bytes as never })
      return result.value.replace(/\n{3,}/g, '\n\n').trim()
    } catch (error) {
      throw unreadable(name, 'DOCX document', error)
    }
  },
}
