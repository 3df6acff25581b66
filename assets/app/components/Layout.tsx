import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { streamState, unread } from '../state/chat'
import { inbox } from '../state/approvals'
import { route } from '../state/router'
import { me, signOut } from '../state/session'
import { setTheme, themeChoice, type ThemeChoice } from '../state/theme'
import { phone } from '../lib/media'
import { Icon, type IconName } from './Icon'

interface NavItem {
  href: string
  label: string
  icon: IconName
  section: string
  admin?: boolean
}

const NAV: NavItem[] = [
  { href: '/chat', label: 'Chat', icon: 'chat', section: 'chat' },
  { href: '/approvals', label: 'Approvals', icon: 'shield', section: 'approvals' },
  { href: '/memory', label: 'Memory', icon: 'memory', section: 'memory' },
  { href: '/jobs', label: 'Jobs', icon: 'jobs', section: 'jobs' },
  { href: '/routines', label: 'Routines', icon: 'routines', section: 'routines' },
  { href: '/skills', label: 'Skills', icon: 'skills', section: 'skills' },
  { href: '/extensions', label: 'Extensions', icon: 'extensions', section: 'extensions' },
  { href: '/status', label: 'Status', icon: 'status', section: 'status' },
  { href: '/settings', label: 'Settings', icon: 'settings', section: 'settings' },
  { href: '/tokens', label: 'API tokens', icon: 'tokens', section: 'tokens' },
  { href: '/admin/users', label: 'Users', icon: 'users', section: 'admin/users', admin: true },
  { href: '/admin/usage', label: 'Usage', icon: 'usage', section: 'admin/usage', admin: true },
  { href: '/admin/secrets', label: 'Secrets', icon: 'secrets', section: 'admin/secrets', admin: true },
  { href: '/admin/pairing', label: 'Pairing', icon: 'chat', section: 'admin/pairing', admin: true },
  { href: '/logs', label: 'Logs', icon: 'logs', section: 'logs', admin: true },
]

const THEMES: Array<{ value: ThemeChoice; label: string; icon: IconName }> = [
  { value: 'light', label: 'Light', icon: 'sun' },
  { value: 'system', label: 'System', icon: 'system' },
  { value: 'dark', label: 'Dark', icon: 'moon' },
]

function currentSection(): string {
  const [first = 'chat', second] = route.value.parts
  return first === 'admin' ? `admin/${second ?? 'users'}` : first
}

export function Layout({ children }: { children: ComponentChildren }) {
  const [open, setOpen] = useState(false)
  const section = currentSection()
  const who = me.value
  const admin = who?.role === 'admin'
  const totalUnread = Object.values(unread.value).reduce((a, b) => a + b, 0)
  const waiting = inbox.value?.pending_count ?? 0
  useEffect(() => setOpen(false), [route.value.path])
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [open])
  const state = streamState.value
  const item = (n: NavItem) => (
    <li key={n.href}>
      <a href={`#${n.href}`} class={`nav-link${section === n.section ? ' active' : ''}`} aria-current={section === n.section ? 'page' : undefined}>
        <Icon name={n.icon} />
        <span>{n.label}</span>
        {n.section === 'chat' && totalUnread > 0 ? (
          <span class="count" aria-label={`${totalUnread} unread`}>
            {totalUnread}
          </span>
        ) : null}
        {n.section === 'approvals' && waiting > 0 ? (
          <span class="count" aria-label={`${waiting} waiting`}>
            {waiting}
          </span>
        ) : null}
      </a>
    </li>
  )
  return (
    <div class={`shell${open ? ' nav-open' : ''}`}>
      <a class="skip-link" href="#main" onClick={(e) => {
        e.preventDefault()
        document.getElementById('main')?.focus()
      }}>
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="btn-icon" aria-label="Open navigation" aria-expanded={open} aria-controls="sidebar" onClick={() => setOpen(!open)}>
          <Icon name="menu" />
        </button>
        <span class="brand-name">Gateway</span>
        <span class={`conn conn-${state}`} title={`Live updates: ${state}`}>
          <span class="visually-hidden">Live updates {state}</span>
        </span>
      </header>
      <div class="scrim" onClick={() => setOpen(false)} aria-hidden="true" />
      {/* A closed drawer is off screen: inert, so Tab does not wander into it. */}
      <nav id="sidebar" class="sidebar" aria-label="Main" inert={phone.value && !open}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">◆</span>
          <span class="brand-name">Gateway</span>
          <span class={`conn conn-${state}`} title={`Live updates: ${state}`} role="status">
            <span class="visually-hidden">Live updates {state}</span>
          </span>
        </div>
        <ul class="nav-list">{NAV.slice(0, 8).map(item)}</ul>
        <p class="nav-heading">Account</p>
        <ul class="nav-list">{NAV.slice(8, 10).map(item)}</ul>
        {admin ? (
          <>
            <p class="nav-heading">Admin</p>
            <ul class="nav-list">{NAV.filter((n) => n.admin).map(item)}</ul>
          </>
        ) : null}
        <div class="sidebar-foot">
          <div class="theme-switch" role="radiogroup" aria-label="Theme">
            {THEMES.map((t) => (
              <button
                key={t.value}
                type="button"
                role="radio"
                aria-checked={themeChoice.value === t.value}
                aria-label={`${t.label} theme`}
                title={`${t.label} theme`}
                class={themeChoice.value === t.value ? 'active' : ''}
                onClick={() => setTheme(t.value)}
              >
                <Icon name={t.icon} size={16} />
              </button>
            ))}
          </div>
          <div class="whoami">
            <span class="avatar" aria-hidden="true">
              {(who?.display_name ?? who?.user_id ?? '?').slice(0, 1).toUpperCase()}
            </span>
            <span class="whoami-text">
              <span class="whoami-name">{who?.display_name ?? who?.user_id}</span>
              <span class="muted small">{who?.role}</span>
            </span>
            <button type="button" class="btn-icon" aria-label="Sign out" title="Sign out" onClick={() => signOut()}>
              <Icon name="logout" />
            </button>
          </div>
        </div>
      </nav>
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
