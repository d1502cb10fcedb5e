/**
 * A validator of SARIF 2.1.0 logs, offline: the schema is its last release candidate, rtm.5
 * (which the standard did not change in substance), as the @microsoft/jest-sarif npm package
 * ships it, kept in test/fixtures; it is a JSON Schema draft-04 document, hence ajv-draft-04.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('../../fixtures/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8')) as object;
// The schema's language pattern has a stray "]" that only a regular expression without the u flag accepts.
// Both are CommonJS: under NodeNext their export is `.default`.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
ajvFormats.default(ajv);

/** Whether `log` is valid SARIF 2.1.0 (formats such as uri and date-time included). */
export const validateSarif = ajv.compile(schema);

/** Fails the test, showing the first errors, when `log` is not valid SARIF 2.1.0. */
export function assertValidSarif(log: unknown): void {
  const valid = validateSarif(log);
  assert.ok(valid, JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2));
}
