// The cold-start baseline: the smallest server that answers `GET /api/health` as the gateway
// does, started the same way (`--port N`). Plain JavaScript on node:http, so Node, Bun and Deno
// run this very file: what it takes is the runtime's own start, nothing of ours.
import { createServer } from 'node:http'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
const body = JSON.stringify({ status: 'healthy', channel: 'gateway' })
createServer((req, res) => {
  const ok = req.url === '/api/health'
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(ok ? body : '{}')
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
