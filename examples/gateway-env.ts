import { type GatewayOptions, loadConfig } from 'agent-gateway/node'

/**
 * The gateway's settings from the same environment as the `gateway` command (`GATEWAY_AUTH_TOKEN`,
 * `GATEWAY_DATA_DIR`, `DATABASE_URL`, `LLM_*`, ... in the README's table), so an embedded gateway
 * is configured like a standalone one; what the host passes in `options` wins.
 */
export function gatewayOptionsFromEnv(options: GatewayOptions = {}, env: Record<string, string | undefined> = process.env): GatewayOptions {
  return { ...options, config: { ...loadConfig(env), ...options.config } }
}

/** Where the host app listens: `GATEWAY_HOST` / `GATEWAY_PORT` like the command, else 127.0.0.1:8080. */
export function listenAddress(env: Record<string, string | undefined> = process.env): { hostname: string; port: number } {
  const config = loadConfig(env)
  return { hostname: config.host, port: env.GATEWAY_PORT ? config.port : 8080 }
}
