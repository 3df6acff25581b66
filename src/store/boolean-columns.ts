/**
 * Columns declared `boolean` in `tables/`. SQLite returns them as 0/1; `SqliteBooleanPlugin` turns
 * them back into booleans by name, so name boolean columns distinctively (`is_*`, `has_*`,
 * `enabled`...) and list them here.
 */
export const BOOLEAN_COLUMNS: ReadonlySet<string> = new Set<string>(['enabled', 'prompts_closed', 'is_verified', 'is_impersonation'])
