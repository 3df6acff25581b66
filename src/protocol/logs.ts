import { z } from 'zod'

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error'])
export type LogLevel = z.infer<typeof LogLevel>

/** One line of `GET /api/logs/events` (`event: log`). Already redacted. */
export const LogLine = z.object({
  level: z.enum(['ERROR', 'WARN', 'INFO', 'DEBUG']),
  /** The logger category, e.g. `gateway.http`. */
  target: z.string(),
  /** The text, then ` key=value` for structured fields not in the text. */
  message: z.string(),
  /** ISO 8601 with milliseconds and `Z`. */
  timestamp: z.string(),
})
export type LogLine = z.infer<typeof LogLine>

export const LogLevelState = z.object({
  level: LogLevel,
  /** Who last changed it at run time, and when (null until someone does). */
  changed_by: z.string().nullable(),
  changed_at: z.string().nullable(),
})
export type LogLevelState = z.infer<typeof LogLevelState>

export const SetLogLevelRequest = z.object({
  level: z
    .string({ error: (issue) => (issue.input === undefined ? "missing 'level' field" : "'level' must be a string") })
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(LogLevel.options, { error: (issue) => `invalid level '${String(issue.input)}', must be one of: ${LogLevel.options.join(', ')}` })),
})
