import type { LogLevel as LogTapeLevel, LogRecord } from '@logtape/logtape'
import type { LogLine } from '../protocol/logs'
import type { Redactor } from './redactor'

const WIRE_LEVELS: Record<LogTapeLevel, LogLine['level'] | undefined> = {
  trace: undefined,
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
}

/** Property names whose values are never printed, whatever they look like. */
const SECRET_PROPERTY = /(?:token|secret|password|passwd|authorization|api_?key|apikey|cookie|credential|master_?key)$/i

/**
 * One log record as text: the message with its values filled in, then ` key=value` for the
 * structured properties the message does not mention. Values of credential-named properties
 * are masked before the redactor even sees them.
 */
export function renderRecord(record: LogRecord, options: { stacks?: boolean } = {}): string {
  const names = typeof record.rawMessage === 'string' ? [...record.rawMessage.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!.trim()) : []
  let text = ''
  record.message.forEach((part, i) => {
    if (i % 2 === 0) text += String(part)
    else text += SECRET_PROPERTY.test(names[(i - 1) / 2] ?? '') ? '[REDACTED]' : renderValue(part, options.stacks ?? false)
  })
  const mentioned = new Set(names)
  for (const [key, value] of Object.entries(record.properties)) {
    if (mentioned.has(key) || key === 'audit') continue
    text += ` ${key}=${SECRET_PROPERTY.test(key) ? '[REDACTED]' : renderValue(value, options.stacks ?? false)}`
  }
  return text
}

/** The wire form of a record for the live log stream, redacted; undefined for TRACE (never sent). */
export function toLogLine(record: LogRecord, redactor: Redactor): LogLine | undefined {
  const level = WIRE_LEVELS[record.level]
  if (!level) return undefined
  return {
    level,
    target: record.category.join('.'),
    message: redactor.redact(renderRecord(record)),
    timestamp: new Date(record.timestamp).toISOString(),
  }
}

/** The same record with its text redacted and its properties folded into the text (for sinks). */
export function redactRecord(record: LogRecord, redactor: Redactor): LogRecord {
  const text = redactor.redact(renderRecord(record, { stacks: true }))
  return { ...record, message: [text], rawMessage: text, properties: {} }
}

function renderValue(value: unknown, stacks: boolean): string {
  if (typeof value === 'string') return value
  if (value instanceof Error) return stacks && value.stack ? value.stack : `${value.name}: ${value.message}`
  if (value === undefined) return 'undefined'
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
