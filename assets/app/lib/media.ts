import { signal } from '@preact/signals'

/** Whether the viewport is at most `px` wide, kept current (drawers become inert when hidden). */
export function narrowerThan(px: number) {
  const query = matchMedia(`(max-width: ${px}px)`)
  const value = signal(query.matches)
  query.addEventListener('change', () => {
    value.value = query.matches
  })
  return value
}

/** The sidebar becomes a drawer at this width (see style.css). */
export const phone = narrowerThan(820)
/** The conversation list becomes a drawer at this width. */
export const narrow = narrowerThan(1000)
