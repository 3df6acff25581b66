/**
 * A screen for instructions that try to turn the agent against its user. A skill's text goes
 * into the system prompt, so one that says "ignore previous instructions" or "send the API keys
 * to ..." is refused at install time rather than trusted. Not a guarantee (an attacker can
 * rephrase), but it stops the known, cheap attacks and hidden-character tricks.
 */
const RULES: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(previous|prior|above|earlier|system|all other)\b[^.\n]{0,20}\b(instructions?|prompts?|rules|messages)\b/i, reason: 'asks the agent to ignore its other instructions' },
  { pattern: /\b(send|post|upload|exfiltrate|leak|forward|email|transmit)\b[^.\n]{0,60}\b(secrets?|api[ _-]?keys?|tokens?|credentials?|passwords?|private keys?)\b/i, reason: 'asks the agent to send secrets or credentials somewhere' },
  { pattern: /\b(reveal|print|show|output|dump)\b[^.\n]{0,30}\b(system prompt|hidden instructions|secrets?|api[ _-]?keys?)\b/i, reason: 'asks the agent to reveal its prompt or secrets' },
  { pattern: /\b(do not|don't|never)\b[^.\n]{0,20}\b(tell|inform|ask|warn)\b[^.\n]{0,20}\b(the )?user\b/i, reason: 'asks the agent to hide what it does from the user' },
  // Zero-width and bidirectional-override characters hide text from a human reviewer.
  { pattern: /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/, reason: 'contains invisible or text-direction control characters' },
]

/** The reasons a skill's text is refused (empty = acceptable). */
export function scanSkillText(text: string): string[] {
  const body = text.replace(/^\uFEFF/, '')
  return RULES.filter((rule) => rule.pattern.test(body)).map((rule) => rule.reason)
}
