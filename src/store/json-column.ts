import type { z } from 'zod'

/**
 * Parses a JSON text column through its schema (the storage convention: JSON is stored as text
 * and checked at the edge). A row damaged by hand reads as the fallback, never a crash.
 */
export function parseColumn<T, F = T>(schema: z.ZodType<T>, text: string | null, fallback: F): T | F {
  if (text === null) return fallback
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : fallback
  } catch {
    return fallback
  }
}
