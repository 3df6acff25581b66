import { z } from 'zod'

/**
 * Wire shapes of uploads: files sent as `multipart/form-data` with a chat message
 * (`POST /api/chat/send`) or dropped into memory (`POST /api/memory/upload`). A file's type is
 * sniffed from its bytes; its name and declared Content-Type are never trusted.
 */

/** What a file turned out to be, from its bytes. */
export const UploadKind = z.enum(['pdf', 'docx', 'markdown', 'text', 'image'])
export type UploadKind = z.infer<typeof UploadKind>

/** The multipart fields of `POST /api/memory/upload` (documented; parsed by the route). */
export const MemoryUploadForm = z.object({
  /** One or more files (PDF, DOCX, Markdown, plain text), repeated under the same name. */
  file: z.array(z.string().describe('binary')).describe('the files (repeat the field)'),
  /** The memory folder the documents go in (default `uploads`). */
  folder: z.string().max(4096).optional(),
})

export const MemoryUploadedFile = z.object({
  /** The file's name as sent. */
  name: z.string(),
  kind: UploadKind,
  /** The sniffed type. */
  media_type: z.string(),
  /** Bytes of the file. */
  size: z.number().int(),
  /** The memory document holding its text (search finds it there). */
  path: z.string(),
  document_id: z.uuid(),
  /** Characters of text extracted. */
  chars: z.number().int(),
})
export type MemoryUploadedFile = z.infer<typeof MemoryUploadedFile>

export const MemoryUploadResponse = z.object({ files: z.array(MemoryUploadedFile) })
export type MemoryUploadResponse = z.infer<typeof MemoryUploadResponse>

/** The multipart fields of `POST /api/chat/send` (the JSON body's fields, plus files). */
export const SendMessageForm = z.object({
  content: z.string().max(256 * 1024),
  thread_id: z.string().optional(),
  timezone: z.string().max(64).optional(),
  /** Files: documents (their text goes to the model) and images (for models that see images). */
  file: z.array(z.string().describe('binary')).optional(),
})
