import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFormUrlEncoded } from '../../src/core/form-content-type.js';

test('the form media type counts in any case, with or without parameters', () => {
  for (const type of [
    'application/x-www-form-urlencoded',
    'Application/X-WWW-Form-URLEncoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded;charset=UTF-8',
    'application/x-www-form-urlencoded ;q=1',
  ]) {
    assert.equal(isFormUrlEncoded(type), true, type);
  }
});

test('other media types, look-alikes and a missing header do not', () => {
  for (const type of [
    'application/json',
    'multipart/form-data; boundary=x',
    'text/plain',
    '',
    'application/x-www-form-urlencoded-x',
    'application/x-www-form-urlencodedx',
    'x-application/x-www-form-urlencoded',
    null,
    undefined,
  ]) {
    assert.equal(isFormUrlEncoded(type), false, String(type));
  }
});
