import { z } from 'zod'

/**
 * A setting key: a letter or digit, then letters, digits, `_`, `.`, `:`, `-` (128 at most). So
 * `__proto__` and friends are not keys at all, and every key is safe in a URL path.
 */
export const SettingKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'setting keys are 1-128 of A-Z a-z 0-9 _ . : - (starting with a letter or digit)')

/** Any JSON value, at most 64 KiB once serialised. */
export const SettingValue = z.json().refine((v) => JSON.stringify(v).length <= 64 * 1024, 'setting values must be at most 64 KiB of JSON')

export const Setting = z.object({ key: z.string(), value: z.unknown(), updated_at: z.string() })
export type Setting = z.infer<typeof Setting>

export const SettingsList = z.object({ settings: z.array(Setting) })

/** `GET /api/settings/export` and the body of `POST /api/settings/import`. */
export const SettingsMap = z.object({
  settings: z
    .record(SettingKey, SettingValue)
    .refine((m) => Object.keys(m).length <= 1000, 'at most 1000 settings per import'),
})

export const PutSettingRequest = z.object({ value: SettingValue })

export const ImportQuery = z.object({ mode: z.enum(['merge', 'replace']).default('merge') })

/** `/api/settings/{key}`. */
export const SettingKeyParam = z.object({ key: SettingKey })
export type SettingsList = z.infer<typeof SettingsList>
export type SettingsMap = z.infer<typeof SettingsMap>
