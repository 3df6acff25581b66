import { type Span, SpanStatusCode, type Tracer, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { SpanAttributes, TraceSpan, Tracing } from '../../src/ports/tracing'
import { VERSION } from '../../src/version'
import type { OtelEnv } from './open-tracing'

const defined = (attributes: SpanAttributes | undefined): Record<string, string | number | boolean> => {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value
  return out
}

class OtelSpan implements TraceSpan {
  constructor(
    readonly span: Span,
    readonly tracer: Tracer,
  ) {}

  setAttributes(attributes: SpanAttributes): void {
    this.span.setAttributes(defined(attributes))
  }

  rename(name: string): void {
    this.span.updateName(name)
  }

  fail(message: string): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message })
  }

  end(): void {
    this.span.end()
  }

  child(name: string, attributes?: SpanAttributes): TraceSpan {
    // The parent goes in explicitly: no context manager is registered (see TraceSpan).
    const parent = trace.setSpan(ROOT_CONTEXT, this.span)
    return new OtelSpan(this.tracer.startSpan(name, { attributes: defined(attributes) }, parent), this.tracer)
  }
}

/**
 * Where spans are posted, from the variables given (not only the process's): the signal-specific
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`,
 * as the OTLP specification says.
 */
export const tracesUrl = (env: OtelEnv): string => {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return traces
  return `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim().replace(/\/+$/, '')}/v1/traces`
}

/**
 * The OpenTelemetry SDK behind the Tracing port: a tracer provider of its own (not registered as
 * the global one, so an embedding app's SDK is left alone), batched export over OTLP/HTTP with
 * JSON bodies. The exporter reads the other standard variables itself (headers, timeout,
 * compression); the resource takes `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, and
 * the service is `agent-gateway` when no name is given.
 */
export function otelTracing(env: OtelEnv): Tracing {
  const detected = detectResources({ detectors: [envDetector] })
  const resource = resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME?.trim() || 'agent-gateway',
    'service.version': VERSION,
  }).merge(detected)
  const exporter = new OTLPTraceExporter({ url: tracesUrl(env) })
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] })
  const tracer = provider.getTracer('agent-gateway', VERSION)
  return {
    startSpan: (name, attributes) => new OtelSpan(tracer.startSpan(name, { attributes: defined(attributes) }, ROOT_CONTEXT), tracer),
    shutdown: () => provider.shutdown(),
  }
}
