import { fileTypeFromBuffer } from 'file-type/core'
import { GatewayError } from '../../lib/errors'
import type { UploadKind } from '../../protocol/uploads'

export interface SniffedFile {
  kind: UploadKind
  /** The type the bytes show, e.g. `application/pdf`. */
  mediaType: string
}

/** Types the gateway reads, by what `file-type` detects in the bytes. */
const DETECTED: Record<string, UploadKind> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
}

export const ACCEPTED_TYPES = 'PDF, DOCX, Markdown, plain text (UTF-8), and PNG, JPEG, GIF or WebP images'

const MARKDOWN_NAME = /\.(md|markdown|mdown|mkd)$/i
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Text is valid UTF-8 without NUL bytes (binary formats file-type does not know have them). */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false
  try {
    utf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * What a file is, from its bytes alone: its magic numbers (`file-type`'s core detector, which
 * needs no runtime), else valid UTF-8 text. The name only tells Markdown from plain text once the
 * bytes proved it is text; the declared Content-Type is never asked. Anything else answers 415
 * `unsupported_file_type`, naming what the bytes look like (an executable renamed `.pdf` is refused).
 */
export async function sniffFile(name: string, bytes: Uint8Array): Promise<SniffedFile> {
  if (bytes.length === 0) throw new GatewayError(400, 'empty_file', `${name} is empty`)
  const detected = await fileTypeFromBuffer(bytes)
  if (detected) {
    const kind = DETECTED[detected.mime]
    if (kind) return { kind, mediaType: detected.mime }
    throw new GatewayError(415, 'unsupported_file_type', `${name} is ${detected.mime} (.${detected.ext}) by its content; accepted: ${ACCEPTED_TYPES}`, {
      details: { name, detected: detected.mime },
    })
  }
  if (isText(bytes)) return MARKDOWN_NAME.test(name) ? { kind: 'markdown', mediaType: 'text/markdown' } : { kind: 'text', mediaType: 'text/plain' }
  throw new GatewayError(415, 'unsupported_file_type', `${name} is not a type the gateway reads (its bytes match no known format and are not UTF-8 text); accepted: ${ACCEPTED_TYPES}`, {
    details: { name, detected: null },
  })
}
