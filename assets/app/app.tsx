import type { ComponentType } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { ConfirmHost } from './components/Dialog'
import { Layout } from './components/Layout'
import { EmptyState } from './components/ui'
import { Toasts } from './components/Toasts'
import { Spinner } from './components/ui'
import { ChatPage } from './pages/chat/ChatPage'
import { SignIn } from './pages/SignIn'
import { pages } from './pages/index'
import { route } from './state/router'
import { booting, me } from './state/session'

const TITLES: Record<string, string> = {
  chat: 'Chat', approvals: 'Approvals', memory: 'Memory', jobs: 'Jobs', routines: 'Routines', skills: 'Skills', extensions: 'Extensions',
  logs: 'Logs', status: 'Status', settings: 'Settings', tokens: 'API tokens', admin: 'Admin',
}

function Page() {
  const { parts } = route.value
  const [section = 'chat', ...rest] = parts
  const first = useRef(true)
  useEffect(() => {
    document.title = `${TITLES[section] ?? 'Not found'} · Gateway`
    // A new page: move focus to it (screen readers announce it; Tab starts there), not on load.
    if (!first.current) document.getElementById('main')?.focus({ preventScroll: true })
    first.current = false
  }, [section])
  if (section === 'chat') return <ChatPage threadId={rest[0] ?? ''} />
  const key = section === 'admin' ? `admin/${rest[0] ?? 'users'}` : section
  const Found = (pages as Record<string, ComponentType<{ parts: string[] }>>)[key]
  if (Found) return <Found parts={section === 'admin' ? rest.slice(1) : rest} />
  return (
    <div class="page">
      <EmptyState icon="alert" title="Page not found">
        <a href="#/chat">Back to chat</a>
      </EmptyState>
    </div>
  )
}

export function App() {
  if (booting.value) {
    return (
      <div class="boot">
        <Spinner label="Starting" />
      </div>
    )
  }
  return (
    <>
      {me.value ? (
        <Layout>
          <Page />
        </Layout>
      ) : (
        <SignIn />
      )}
      <Toasts />
      <ConfirmHost />
    </>
  )
}
