import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { manifestDir, stdioFixture } from '../extensions/helpers'
import { FAKE_CLI } from '../jobs/support'
import { httpsServer, testCertificate } from '../support/fake-net'
import { tempDir } from '../support/store'

/** The host name the targets reach the loopback skill site by (through `loopbackHosts`). */
export const SITE_HOST = 'skills.example'

/**
 * What the system cases of the contract need around a target, made before it starts: an HTTPS
 * site on loopback serving skill files and archives (its self-signed certificate trusted by the
 * target: this process's https agent for Node, NODE_EXTRA_CA_CERTS for Bun and Deno), the stdio
 * MCP fixture as an extension manifest, and the fake coding-agent CLI as a job command.
 */
export interface SystemFixtures {
  /** `https://skills.example:PORT`, as the target sees it. */
  siteUrl: string
  /** Path -> body served by the site (404 otherwise). */
  files: Map<string, string | Buffer>
  /** For the in-process Node target. */
  config: { extensions: { dir: string }; jobs: { commands: Array<typeof FAKE_CLI> } }
  /** The same for a child target, as environment variables (its fixture maps `SITE_HOST`). */
  env: Record<string, string>
  close(): Promise<void>
}

export async function systemFixtures(): Promise<SystemFixtures> {
  const files = new Map<string, string | Buffer>()
  const site = await httpsServer([SITE_HOST], (req, res) => {
    const body = files.get(req.url ?? '')
    if (body === undefined) return void res.writeHead(404).end('missing')
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
  })
  const caFile = join(tempDir('gw-ca-'), 'ca.pem')
  writeFileSync(caFile, testCertificate([SITE_HOST]).cert)
  const extensions = manifestDir([stdioFixture('fixture')])
  return {
    siteUrl: `https://${SITE_HOST}:${site.port}`,
    files,
    config: { extensions: { dir: extensions }, jobs: { commands: [FAKE_CLI] } },
    env: {
      GATEWAY_TEST_LOOPBACK_HOSTS: SITE_HOST,
      NODE_EXTRA_CA_CERTS: caFile,
      GATEWAY_EXTENSIONS_DIR: extensions,
      GATEWAY_JOB_COMMANDS: JSON.stringify([FAKE_CLI]),
    },
    close: () => site.close(),
  }
}
