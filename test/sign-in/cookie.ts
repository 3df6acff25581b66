/** The session cookie's value from a response's Set-Cookie headers (undefined when none is set). */
export function sessionCookie(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = /^gateway_session=([^;]*)/.exec(line)
    if (match) return match[1]
  }
  return undefined
}

export const setCookieLine = (res: Response, name = 'gateway_session'): string | undefined =>
  res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`))

/** Headers of a request signed in by the cookie (with the CSRF token and Origin when given). */
export const cookieHeaders = (cookie: string, extra: { csrf?: string; origin?: string } = {}): Record<string, string> => ({
  cookie: `gateway_session=${cookie}`,
  ...(extra.csrf ? { 'x-csrf-token': extra.csrf } : {}),
  ...(extra.origin ? { origin: extra.origin } : {}),
})
