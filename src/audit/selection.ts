import { AREAS, type CheckDefinition } from './check-definition.js';

/** A `--only`/`--skip` value that names no check and no area. */
export class UnknownSelectorError extends Error {
  constructor(readonly selector: string) {
    super(`${selector} is neither a check ID (DISC-01 … REV-03) nor an area (${AREAS.join(', ')})`);
    this.name = 'UnknownSelectorError';
  }
}

/**
 * Whether a check is selected by `--only` (IDs or area names; none: every check) and not excluded
 * by `--skip`. Names are case-insensitive; an unknown one is an error, so a typo never silently
 * runs nothing.
 */
export function selector(
  catalogue: readonly CheckDefinition[],
  only: readonly string[] = [],
  skip: readonly string[] = [],
): (check: CheckDefinition) => boolean {
  const known = new Set<string>([...AREAS, ...catalogue.map((check) => check.id)]);
  const normalise = (names: readonly string[]) =>
    new Set(
      names.map((name) => {
        const upper = name.trim().toUpperCase();
        if (!known.has(upper)) throw new UnknownSelectorError(name);
        return upper;
      }),
    );
  const included = normalise(only);
  const excluded = normalise(skip);
  const matches = (set: Set<string>, check: CheckDefinition) => set.has(check.id) || set.has(check.area);
  return (check) => (included.size === 0 || matches(included, check)) && !matches(excluded, check);
}
