import type { ImageAttachment } from '../../protocol/chat'
import type { MemoryUploadResponse } from '../../protocol/uploads'

/** A file as it came in a multipart request: its name as sent, and its bytes. */
export interface UploadInput {
  name: string
  bytes: Uint8Array
}

/** Text out of document formats; replace it to use another library or a remote service. */
export interface DocumentTextExtractor {
  /** 422 `unreadable_file` when the bytes are not a readable PDF. */
  pdf(name: string, bytes: Uint8Array): Promise<string>
  /** 422 `unreadable_file` when the bytes are not a readable DOCX. */
  docx(name: string, bytes: Uint8Array): Promise<string>
}

/** What a chat message carries once its files are read. */
export interface MessageWithFiles {
  /** The user's text, then each document's text in an `<attachment name type>` block. */
  content: string
  images: ImageAttachment[]
}

/**
 * Uploads: files sniffed by their bytes (415 `unsupported_file_type` for anything but PDF, DOCX,
 * Markdown, text and images), bounded in size and count (413 `file_too_large`,
 * `too_many_files`), their text extracted. Default: `UploadService`.
 */
export interface UploadsPort {
  /** Puts each document's text into the user's memory (indexed for search) under `folder`. */
  toMemory(userId: string, files: UploadInput[], options?: { folder?: string | undefined }): Promise<MemoryUploadResponse>
  /**
   * A chat message with its files: documents' text appended, images as attachments. 415
   * `images_not_supported` when `vision.supported` is false and an image is attached.
   */
  toMessage(files: UploadInput[], message: { content: string; vision: { supported: boolean; model: string } }): Promise<MessageWithFiles>
}
