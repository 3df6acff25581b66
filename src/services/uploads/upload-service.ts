import { GatewayError, unavailable } from '../../lib/errors'
import type { UploadsConfig } from '../../config/uploads-config'
import { type ImageAttachment, MAX_IMAGE_BYTES } from '../../protocol/chat'
import type { MemoryUploadedFile, MemoryUploadResponse } from '../../protocol/uploads'
import type { MemoryPort } from '../memory/port'
import { type SniffedFile, sniffFile } from './file-sniffer'
import type { DocumentTextExtractor, MessageWithFiles, UploadInput, UploadsPort } from './port'

/** The JSON body's cap on a message's content, which the attachments must fit in too. */
const MAX_MESSAGE_CHARS = 256 * 1024
const DEFAULT_FOLDER = 'uploads'
const DOCUMENT_NAME = /\.(md|markdown|txt)$/i
const UNSAFE_NAME_CHARS = /[\p{Cc}\p{Cf}\\/]/gu

export interface UploadServiceOptions {
  config: UploadsConfig
  extractor: DocumentTextExtractor
  /** The memory the documents go into (read at call time: an embedder may replace it). */
  memory: () => MemoryPort | undefined
}

interface ReadFile extends SniffedFile {
  name: string
  size: number
  bytes: Uint8Array
  /** Documents only. */
  text?: string
}

/** A file name fit for a memory path and an attribute: its last segment, no controls, bounded. */
export function safeFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? ''
  const clean = last.replace(UNSAFE_NAME_CHARS, '').trim().replace(/^\.+/, '').slice(0, 200).trim()
  return clean || 'upload'
}

const base64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

const attribute = (value: string): string => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)

/** The default uploads subsystem: sniff, bound, extract, then memory or the model. */
export class UploadService implements UploadsPort {
  constructor(private readonly options: UploadServiceOptions) {}

  async toMemory(userId: string, files: UploadInput[], options: { folder?: string | undefined } = {}): Promise<MemoryUploadResponse> {
    const memory = this.options.memory()
    if (!memory) throw unavailable('memory')
    if (files.length === 0) throw new GatewayError(400, 'no_files', 'Attach at least one file (multipart field "file")')
    // Memory validates the paths (400 `invalid_path`) when it writes them.
    const folder = (options.folder ?? DEFAULT_FOLDER).replace(/\/+$/, '')
    // Every file is read before any is written, so one bad file leaves memory unchanged.
    const read = await this.#readAll(files)
    for (const file of read) {
      if (file.kind === 'image') {
        throw new GatewayError(415, 'unsupported_file_type', `${file.name} is an image; memory holds text (attach images to a chat message instead)`)
      }
    }
    const out: MemoryUploadedFile[] = []
    for (const file of read) {
      const name = safeFileName(file.name)
      const path = `${folder ? `${folder}/` : ''}${DOCUMENT_NAME.test(name) ? name : `${name}.md`}`
      const text = file.text ?? ''
      const content = file.kind === 'pdf' || file.kind === 'docx' ? `# ${name}\n\n${text}\n` : text
      const written = await memory.write(userId, { path, content })
      out.push({ name: file.name, kind: file.kind, media_type: file.mediaType, size: file.size, path: written.path, document_id: written.document_id, chars: text.length })
    }
    return { files: out }
  }

  async toMessage(files: UploadInput[], message: { content: string; vision: { supported: boolean; model: string } }): Promise<MessageWithFiles> {
    const read = await this.#readAll(files)
    const images: ImageAttachment[] = []
    const documents: ReadFile[] = []
    for (const file of read) {
      if (file.kind !== 'image') {
        documents.push(file)
        continue
      }
      if (!message.vision.supported) {
        throw new GatewayError(415, 'images_not_supported', `The model ${message.vision.model} cannot see images, so ${file.name} was not sent; set LLM_VISION=true if it can`)
      }
      if (file.size > MAX_IMAGE_BYTES) throw new GatewayError(413, 'image_too_large', `${file.name} is larger than ${MAX_IMAGE_BYTES} bytes, the most a model is sent`)
      images.push({ media_type: file.mediaType as ImageAttachment['media_type'], data: base64(file.bytes) })
    }
    if (images.length > 8) throw new GatewayError(413, 'too_many_files', 'At most 8 images per message')
    return { content: message.content + this.#attachmentBlocks(documents, message.content.length), images }
  }

  /** The documents' text, each in a block the model (and the web app) can tell apart from the message; cut to fit. */
  #attachmentBlocks(documents: ReadFile[], used: number): string {
    let budget = Math.min(this.options.config.maxTextChars, MAX_MESSAGE_CHARS - used - documents.length * 400)
    let out = ''
    for (const doc of documents) {
      const text = doc.text ?? ''
      const room = Math.max(0, budget)
      const shown = text.length > room ? `${text.slice(0, room)}\n[… cut: the first ${room} of ${text.length} characters are shown]` : text
      budget -= Math.min(text.length, room)
      out += `\n\n<attachment name="${attribute(safeFileName(doc.name))}" type="${doc.mediaType}">\n${shown}\n</attachment>`
    }
    return out
  }

  async #readAll(files: UploadInput[]): Promise<ReadFile[]> {
    const { maxFiles, maxBytes } = this.options.config
    if (files.length > maxFiles) throw new GatewayError(413, 'too_many_files', `At most ${maxFiles} files per request (got ${files.length})`)
    for (const file of files) {
      if (file.bytes.length > maxBytes) throw new GatewayError(413, 'file_too_large', `${safeFileName(file.name)} is ${file.bytes.length} bytes; the most one file may be is ${maxBytes}`)
    }
    const out: ReadFile[] = []
    for (const file of files) out.push(await this.#read(file))
    return out
  }

  async #read(file: UploadInput): Promise<ReadFile> {
    const name = safeFileName(file.name)
    const sniffed = await sniffFile(name, file.bytes)
    const base = { ...sniffed, name: file.name, size: file.bytes.length, bytes: file.bytes }
    switch (sniffed.kind) {
      case 'image':
        return base
      case 'pdf':
        return { ...base, text: await this.options.extractor.pdf(name, file.bytes) }
      case 'docx':
        return { ...base, text: await this.options.extractor.docx(name, file.bytes) }
      default:
        return { ...base, text: new TextDecoder().decode(file.bytes) }
    }
  }
}
