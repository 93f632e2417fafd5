/** Where a target name leads when no configuration is at hand (`bulwark judge --target NAME`).
 * The session layer replaces this with the configured catalog; what stays is the rule that a name
 * nobody knows is treated as production. */

export interface TargetFacts {
  readonly name: string;
  readonly environment: string;
  readonly labels: readonly string[];
}

export const LOCAL_TARGET: TargetFacts = Object.freeze({ name: 'local', environment: 'development', labels: Object.freeze([]) });

/** Built-in guess from the name alone: no name is the local development box; "prod" in the name is
 * production, "stag" staging; anything else is unknown and therefore production (fail closed). */
export function resolveTarget(name?: string): TargetFacts {
  if (name === undefined || name === '') return LOCAL_TARGET;
  const lower = name.toLowerCase();
  if (lower.includes('prod')) return { name, environment: 'production', labels: [] };
  if (lower.includes('stag')) return { name, environment: 'staging', labels: [] };
  return { name, environment: 'production', labels: ['uncatalogued'] };
}
