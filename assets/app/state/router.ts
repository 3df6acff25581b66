import { signal } from '@preact/signals'

/**
 * Hash routes (`#/chat/<id>`, `#/memory?path=notes/a.md`): the server serves one page, and no
 * route ever carries a credential.
 */
export interface Route {
  path: string
  parts: string[]
  query: URLSearchParams
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/chat'
  const [pathPart = '/chat', queryPart = ''] = raw.split('?', 2)
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p)
    } catch {
      return p
    }
  })
  return { path, parts, query: new URLSearchParams(queryPart) }
}

export const route = signal<Route>(parseRoute(location.hash))

addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash)
})

/** `navigate('/jobs/' + id)`; `replace` keeps the history entry (redirects). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const hash = `#${path}`
  if (location.hash === hash) return
  if (options.replace) {
    history.replaceState(history.state, '', hash)
    route.value = parseRoute(hash)
  } else location.hash = hash
}

/** A hash link target: `href={link('/jobs', { id })}`. */
export function link(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, v)
  const qs = params.toString()
  return `#${path}${qs ? `?${qs}` : ''}`
}
