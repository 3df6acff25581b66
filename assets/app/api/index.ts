/** The typed API client: `api.chat.send(...)`, `api.memory.read(...)`... */
export { ApiError } from './client'
import { admin, profile, settings, system, tokens } from './account'
import { auth, chat } from './chat'
import { extensions, skills } from './extensions'
import { jobs, memory, routines } from './workspace'

export const api = { auth, chat, memory, jobs, routines, skills, extensions, settings, tokens, profile, admin, system }
