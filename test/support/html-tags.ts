/**
 * A small tag reader for tests of rendered pages. Escaped values contain no `<`, `>` or `"`, so
 * once the one <style> element is set aside, every tag and every attribute can be read with a
 * regular expression.
 */
import assert from 'node:assert/strict';

export interface Tag {
  name: string;
  attributes: Map<string, string>;
}

export function withoutStyle(doc: string): string {
  return doc.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
}

export function readTags(doc: string): Tag[] {
  return [...withoutStyle(doc).matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((match) => {
    const attributes = new Map<string, string>();
    for (const attribute of (match[2] ?? '').matchAll(/([^\s="'/]+)(?:="([^"]*)")?/g)) {
      attributes.set(attribute[1]!, attribute[2] ?? '');
    }
    return { name: match[1]!.toLowerCase(), attributes };
  });
}

/** Tag names with their attribute names: what an injection would change. */
export function skeleton(doc: string): string[] {
  return readTags(doc).map((tag) => `${tag.name}(${[...tag.attributes.keys()].join(' ')})`);
}

export function tagsWhere(doc: string, name: string, attributes: Record<string, string> = {}): Tag[] {
  return readTags(doc).filter((tag) => tag.name === name && Object.entries(attributes).every(([key, value]) => tag.attributes.get(key) === value));
}

export function unescapeAttribute(value: string): string {
  return value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

export function styleText(doc: string): string {
  const matches = [...doc.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(matches.length, 1, 'exactly one <style> element');
  return matches[0]![1]!;
}
