/** Attribute values a span carries; `undefined` ones are left out. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>

/**
 * One timed operation of a trace. Parents are passed explicitly (`child`), not through an ambient
 * context: `src/` runs on any Fetch host, and not every host has async-context tracking.
 */
export interface TraceSpan {
  setAttributes(attributes: SpanAttributes): void
  /** The name once it is known (a request's route template is known only after routing). */
  rename(name: string): void
  /** Marks the span failed (OTel status ERROR) with a short message. */
  fail(message: string): void
  end(): void
  /** A span started now whose parent is this one. */
  child(name: string, attributes?: SpanAttributes): TraceSpan
}

/**
 * Where spans go. The gateway builds them for each HTTP request, each agent turn, and each model
 * and tool call of a turn. The default is `noopTracing`; the runtime adapters install an
 * OpenTelemetry one when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, so `src/` never loads the SDK.
 */
export interface Tracing {
  /** A root span (a new trace). */
  startSpan(name: string, attributes?: SpanAttributes): TraceSpan
  /** Sends what is still buffered and stops (the gateway is closing). */
  shutdown?(): Promise<void>
}

export const noopSpan: TraceSpan = {
  setAttributes: () => {},
  rename: () => {},
  fail: () => {},
  end: () => {},
  child: () => noopSpan,
}

export const noopTracing: Tracing = { startSpan: () => noopSpan }
