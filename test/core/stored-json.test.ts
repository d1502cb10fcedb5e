import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { parseStoredJson } from '../../src/core/stored-json.js';

const schema = z.object({ id: z.string(), scope: z.array(z.string()) });

describe('parseStoredJson', () => {
  it('gives the value when the text is JSON of the shape', () => {
    assert.deepEqual(parseStoredJson('{"id":"a","scope":["read"]}', schema), { id: 'a', scope: ['read'] });
  });

  it('gives undefined, never throws, for text that is not JSON or not of the shape', () => {
    for (const text of ['', 'not json', '{"id":"a"', 'null', '[]', '"a"', '{"id":1,"scope":[]}', '{"id":"a","scope":"read"}']) {
      assert.equal(parseStoredJson(text, schema), undefined, text);
    }
  });
});
