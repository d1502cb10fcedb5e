import type { z } from 'zod';

/**
 * Reads a JSON value this code stored earlier (a pending request, a sealed blob once opened, a
 * JSON column), checked against the shape it was written with. A row that is not JSON or not of
 * that shape — corrupted, or written by another release or another program — gives undefined, so
 * the caller refuses it as it refuses a row that is not there, instead of running on a wrong type.
 * @see docs/storage-schema.md (what each stored value holds)
 */
export function parseStoredJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
