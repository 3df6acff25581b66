import type { Tracing } from '../../src/ports/tracing'

/** The environment variables tracing reads: the standard OpenTelemetry ones. */
export type OtelEnv = Readonly<Record<string, string | undefined>>

/** True when the standard variables ask for traces to be exported. */
export const tracingRequested = (env: OtelEnv): boolean =>
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
  env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true' &&
  env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none'

/**
 * OpenTelemetry tracing over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, else undefined (the gateway then builds no span
 * at all). The SDK is imported only in the first case: an unset endpoint costs neither its ~1 MB
 * of modules at start nor anything per request.
 */
export async function openTracing(env: OtelEnv): Promise<Tracing | undefined> {
  if (!tracingRequested(env)) return undefined
  const { otelTracing } = await import('./otel-tracing')
  return otelTracing(env)
}
