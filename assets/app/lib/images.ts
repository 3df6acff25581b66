import type { ImageAttachment } from '../api/types'

export const MAX_IMAGES = 8
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024
const TYPES = /^image\/(png|jpeg|gif|webp)$/

export type PickedImage = ImageAttachment & { url: string; name: string; size: number; file: File }

/** Reads an image file into the API's attachment shape (base64 without the `data:` prefix). */
export function readImage(file: File): Promise<PickedImage> {
  return new Promise((resolve, reject) => {
    if (!TYPES.test(file.type)) return reject(new Error(`${file.name || 'That file'} is not a PNG, JPEG, GIF or WebP image`))
    if (file.size > MAX_IMAGE_BYTES) return reject(new Error(`${file.name || 'That image'} is larger than 5 MB`))
    const reader = new FileReader()
    reader.onerror = () => reject(new Error(`Could not read ${file.name || 'the image'}`))
    reader.onload = () => {
      const result = String(reader.result)
      const comma = result.indexOf(',')
      // Checked against TYPES above: one of the formats the server accepts.
      const media_type = file.type as ImageAttachment['media_type']
      resolve({ media_type, data: result.slice(comma + 1), url: URL.createObjectURL(file), name: file.name, size: file.size, file })
    }
    reader.readAsDataURL(file)
  })
}
