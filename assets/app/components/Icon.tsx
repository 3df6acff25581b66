/** Line icons drawn on a 24-unit grid; decorative (aria-hidden): the control around them carries the label. */
const paths: Record<string, string> = {
  chat: 'M4 5h16v11H9l-5 4z',
  memory: 'M5 4h10l4 4v12H5z M15 4v4h4 M8 12h8 M8 16h6',
  jobs: 'M4 8h16v11H4z M9 8V5h6v3 M4 13h16',
  routines: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7v5l3 2',
  skills: 'M12 3l2.5 6.5L21 12l-6.5 2.5L12 21l-2.5-6.5L3 12l6.5-2.5z',
  extensions: 'M9 4h4v3a2 2 0 1 0 0 4v0h4v4h-3a2 2 0 1 0-4 0v0H6v-4H4a2 2 0 1 1 0-4V7h5z',
  logs: 'M5 5h14 M5 10h14 M5 15h10 M5 20h7',
  status: 'M3 12h4l3-7 4 14 3-7h4',
  settings: 'M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9l2.1 2.1 M17 17l2.1 2.1 M4.9 19.1L7 17 M17 7l2.1-2.1',
  tokens: 'M8 11a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M11 12l9-9 M17 6l3 3 M15 8l2 2',
  users: 'M9 11a4 4 0 1 0 0-8a4 4 0 1 0 0 8z M2 21c0-4 3-6 7-6s7 2 7 6 M17 11a3 3 0 1 0 0-6 M19 15c2 1 3 3 3 6',
  usage: 'M4 20V10 M10 20V4 M16 20v-7 M22 20H2',
  secrets: 'M6 11h12v10H6z M8 11V7a4 4 0 1 1 8 0v4',
  sun: 'M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M12 2v2 M12 20v2 M2 12h2 M20 12h2 M5 5l1.5 1.5 M17.5 17.5L19 19 M5 19l1.5-1.5 M17.5 6.5L19 5',
  moon: 'M20 14A8 8 0 1 1 10 4a6 6 0 0 0 10 10z',
  system: 'M3 4h18v12H3z M8 20h8 M12 16v4',
  plus: 'M12 5v14 M5 12h14',
  send: 'M4 12l16-8-6 16-2-7z',
  stop: 'M7 7h10v10H7z',
  attach: 'M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7',
  close: 'M6 6l12 12 M18 6L6 18',
  menu: 'M4 6h16 M4 12h16 M4 18h16',
  check: 'M5 12l5 5L20 7',
  alert: 'M12 3l10 18H2z M12 10v4 M12 17v.5',
  chevron: 'M9 6l6 6-6 6',
  copy: 'M8 8h12v12H8z M4 16V4h12',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7',
  search: 'M10 4a6 6 0 1 0 0 12a6 6 0 1 0 0-12z M15 15l6 6',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13 7l4 4',
  play: 'M7 4l13 8-13 8z',
  file: 'M6 3h8l4 4v14H6z M14 3v4h4',
  folder: 'M3 6h6l2 2h10v11H3z',
  logout: 'M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h11',
  tool: 'M14 6a4 4 0 0 0 5 5l-9 9-3-3 9-9a4 4 0 0 1-2-2z',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z',
  external: 'M14 4h6v6 M20 4l-9 9 M18 14v6H4V6h6',
  eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z',
  image: 'M3 5h18v14H3z M3 16l5-5 4 4 3-3 6 6 M15 9h.5',
  dot: 'M12 10a2 2 0 1 0 0 4a2 2 0 1 0 0-4z',
}

export type IconName = keyof typeof paths

export function Icon({ name, size = 18, class: className }: { name: IconName; size?: number; class?: string }) {
  return (
    <svg
      class={`icon${className ? ` ${className}` : ''}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  )
}
