// Minimal shell: sign in with the token, watch the event stream, send a message.
// The full single-page app replaces this (see the web app issue).
const TOKEN_KEY = 'gateway.token'
const root = document.getElementById('app')!

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] => {
  const node = Object.assign(document.createElement(tag), props) as HTMLElementTagNameMap[K]
  node.append(...children)
  return node
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? ''
  return fetch(path, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } })
}

function signIn(): void {
  const input = el('input', { type: 'password', placeholder: 'Gateway token', autocomplete: 'current-password' })
  const error = el('p', { className: 'error' })
  const form = el('form', { className: 'card' }, el('h1', {}, 'Agent gateway'), input, el('button', { type: 'submit' }, 'Sign in'), error)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    sessionStorage.setItem(TOKEN_KEY, input.value)
    const res = await api('/api/auth/whoami')
    if (res.ok) chat()
    else {
      sessionStorage.removeItem(TOKEN_KEY)
      error.textContent = 'That token was not accepted.'
    }
  })
  root.replaceChildren(form)
}

function chat(): void {
  const log = el('ol', { className: 'log' })
  const input = el('input', { placeholder: 'Message', autocomplete: 'off' })
  const form = el('form', { className: 'composer' }, input, el('button', { type: 'submit' }, 'Send'))
  let threadId: string | undefined
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const res = await api('/api/chat/send', { method: 'POST', body: JSON.stringify({ content: input.value, thread_id: threadId }) })
    if (res.ok) threadId = ((await res.json()) as { thread_id: string }).thread_id
    input.value = ''
  })
  root.replaceChildren(el('main', { className: 'chat' }, log, form))
  const source = new EventSource(`/api/chat/events?token=${encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '')}`)
  source.onmessage = null
  for (const type of ['response', 'stream_chunk', 'status', 'error', 'thinking']) {
    source.addEventListener(type, (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { content?: string; message?: string }
      log.append(el('li', { className: type }, `${type}: ${data.content ?? data.message ?? ''}`))
    })
  }
}

if (sessionStorage.getItem(TOKEN_KEY)) chat()
else signIn()
