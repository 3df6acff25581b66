/** Files per request the gateway takes by default (`GATEWAY_UPLOAD_MAX_FILES`); it answers 413 past its own limit. */
export const MAX_FILES = 8

/** What the file pickers offer; the gateway checks the bytes, not these hints. */
export const ACCEPT_DOCUMENTS = '.pdf,.docx,.md,.markdown,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/markdown,text/plain'
export const ACCEPT_ATTACHMENTS = `${ACCEPT_DOCUMENTS},image/png,image/jpeg,image/gif,image/webp`

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/

/** An image the composer previews and sends itself; every other file goes to the gateway to read. */
export const isPickableImage = (file: File): boolean => IMAGE_TYPES.test(file.type)

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** A document attached to a message, as the gateway put it in the message text. */
export interface MessageAttachment {
  name: string
  type: string
}

const BLOCK = /\n\n<attachment name="([^"]*)" type="([^"]*)">\n[\s\S]*?\n<\/attachment>/g
const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))

/** The user's own text and the documents attached to it (their text is for the model, not the transcript). */
export function splitAttachments(input: string): { text: string; attachments: MessageAttachment[] } {
  const attachments: MessageAttachment[] = []
  const text = input.replace(BLOCK, (_, name: string, type: string) => {
    attachments.push({ name: unescape(name), type })
    return ''
  })
  return { text, attachments }
}

/** An attachment block without text, for a message still being sent. */
export const attachmentPlaceholder = (name: string): string => `<attachment name="${name.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}" type="">\n\n</attachment>`
