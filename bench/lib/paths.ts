import { fileURLToPath } from 'node:url'

/** Absolute path of a file under `bench/`, for child processes. */
export const benchFile = (relative: string): string => fileURLToPath(new URL(`../${relative}`, import.meta.url))
