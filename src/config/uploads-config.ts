import { z } from 'zod'

/**
 * Files attached to a chat message or dropped into memory (`GATEWAY_UPLOAD_*`). A request as a
 * whole is still capped by the gateway's body limit (10 MiB by default).
 */
export const UploadsConfig = z.object({
  /** Bytes of one file (`GATEWAY_UPLOAD_MAX_BYTES`); a larger one answers 413 `file_too_large`. */
  maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Files in one request (`GATEWAY_UPLOAD_MAX_FILES`); more answer 413 `too_many_files`. */
  maxFiles: z.number().int().positive().max(64).default(8),
  /**
   * Characters of text extracted from the documents of one chat message that the model is given
   * (`GATEWAY_UPLOAD_MAX_TEXT_CHARS`); past it the text is cut and the model told so.
   */
  maxTextChars: z.number().int().positive().default(100_000),
})
export type UploadsConfig = z.infer<typeof UploadsConfig>

/** The `GATEWAY_UPLOAD_*` settings, unset ones left to the defaults. */
export function uploadsFromEnv(env: Record<string, string | undefined>): z.input<typeof UploadsConfig> {
  const number = (value: string | undefined): number | undefined => (value === undefined || value === '' ? undefined : Number(value))
  return { maxBytes: number(env.GATEWAY_UPLOAD_MAX_BYTES), maxFiles: number(env.GATEWAY_UPLOAD_MAX_FILES), maxTextChars: number(env.GATEWAY_UPLOAD_MAX_TEXT_CHARS) }
}
