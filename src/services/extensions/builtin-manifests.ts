import type { ExtensionManifestInput } from '../../protocol/extensions'

/**
 * The extension manifests shipped with the gateway: well-known MCP servers, installed per user
 * from `/api/extensions/registry`. They run real servers (npx / uvx / a hosted endpoint), so they
 * need network access the first time; more can be added with `GATEWAY_EXTENSIONS_DIR`.
 */
export const BUILTIN_MANIFESTS: ExtensionManifestInput[] = [
  {
    name: 'filesystem',
    display_name: 'Files',
    description: "Read, write and search files in the user's own extension workspace (a private folder in the gateway's data directory).",
    keywords: ['files', 'filesystem', 'documents', 'folders'],
    homepage: 'https://github.com/modelcontextprotocol/servers/tree/main/src/filesystem',
    transport: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '${workspace}'] },
    tools: {
      requires_approval: true,
      overrides: Object.fromEntries(
        ['read_file', 'read_text_file', 'read_media_file', 'read_multiple_files', 'list_directory', 'list_directory_with_sizes', 'directory_tree', 'search_files', 'get_file_info', 'list_allowed_directories'].map(
          (tool) => [tool, { requires_approval: false }],
        ),
      ),
    },
  },
  {
    name: 'memory-graph',
    display_name: 'Knowledge graph',
    description: 'A persistent knowledge graph of entities, relations and observations the agent can build and query.',
    keywords: ['memory', 'knowledge graph', 'notes', 'entities'],
    homepage: 'https://github.com/modelcontextprotocol/servers/tree/main/src/memory',
    transport: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE_PATH: '${workspace}/memory.jsonl' } },
    tools: {
      requires_approval: true,
      overrides: { read_graph: { requires_approval: false }, search_nodes: { requires_approval: false }, open_nodes: { requires_approval: false } },
    },
  },
  {
    name: 'web-search',
    display_name: 'Web search (Brave)',
    description: 'Search the web, news, images and local businesses with the Brave Search API. Needs a Brave Search API key.',
    keywords: ['search', 'web', 'news', 'brave', 'internet'],
    homepage: 'https://github.com/brave/brave-search-mcp-server',
    transport: { type: 'stdio', command: 'npx', args: ['-y', '@brave/brave-search-mcp-server', '--transport', 'stdio'], env: { BRAVE_API_KEY: '${secret:brave_api_key}' } },
    secrets: [{ name: 'brave_api_key', prompt: 'Brave Search API key' }],
    auth: {
      token_secret: 'brave_api_key',
      instructions: 'Paste your Brave Search API key (create one at https://brave.com/search/api/).',
      setup_url: 'https://brave.com/search/api/',
    },
    tools: { requires_approval: false, overrides: {} },
  },
  {
    name: 'fetch',
    display_name: 'Fetch web pages',
    description: 'Fetch a URL and return it as markdown. It can reach any address the gateway host can (including its private network), so only admins install it.',
    keywords: ['fetch', 'http', 'web page', 'url', 'download'],
    homepage: 'https://github.com/modelcontextprotocol/servers/tree/main/src/fetch',
    transport: { type: 'stdio', command: 'uvx', args: ['mcp-server-fetch'] },
    install_policy: 'admins',
  },
  {
    name: 'github',
    display_name: 'GitHub',
    description: "GitHub's hosted MCP server: repositories, issues, pull requests and code search. Needs a GitHub personal access token.",
    keywords: ['github', 'git', 'issues', 'pull requests', 'code'],
    homepage: 'https://github.com/github/github-mcp-server',
    transport: { type: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${secret:github_token}' } },
    secrets: [{ name: 'github_token', prompt: 'GitHub personal access token (fine-grained, with the repositories it may use)' }],
    auth: {
      token_secret: 'github_token',
      instructions: 'Paste a GitHub personal access token (Settings > Developer settings > Personal access tokens).',
      setup_url: 'https://github.com/settings/personal-access-tokens/new',
    },
  },
]
