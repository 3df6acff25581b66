import { signal } from '@preact/signals'
import { preferences } from '../lib/storage'

export type ThemeChoice = 'system' | 'light' | 'dark'

const media = matchMedia('(prefers-color-scheme: dark)')
export const themeChoice = signal<ThemeChoice>((preferences.get('theme') as ThemeChoice | undefined) ?? 'system')

function apply(): void {
  const choice = themeChoice.value
  const dark = choice === 'dark' || (choice === 'system' && media.matches)
  document.documentElement.dataset.theme = dark ? 'dark' : 'light'
}

export function setTheme(choice: ThemeChoice): void {
  themeChoice.value = choice
  preferences.set('theme', choice)
  apply()
}

export function initTheme(): void {
  apply()
  media.addEventListener('change', apply)
}
