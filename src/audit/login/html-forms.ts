/**
 * The forms of a login or consent page, read well enough to fill and submit them as a person
 * would: the form's action and method, its inputs (hidden ones with their values) and its submit
 * buttons. A tolerant reader of the HTML real authorization servers send (Portcullis,
 * oidc-provider, hand-written pages), not a full HTML parser: it only has to find forms, and a page
 * it cannot read makes the check inconclusive, never a wrong verdict.
 */
export interface HtmlField {
  readonly name: string;
  readonly value: string;
  readonly type: string;
}

export interface HtmlButton {
  readonly name: string | undefined;
  readonly value: string | undefined;
  /** The text a person reads: the button's content or an input's value. */
  readonly label: string;
}

export interface HtmlForm {
  readonly action: string | undefined;
  readonly method: 'GET' | 'POST';
  readonly fields: readonly HtmlField[];
  readonly buttons: readonly HtmlButton[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity.toLowerCase()] ?? all;
  });
}

/** The attributes of a start tag's inside (`name="x" value='y' disabled`), names lower-cased. */
export function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of tag.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    attributes.set(match[1]!.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

const textOf = (html: string) =>
  decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();

export function readForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi)) {
    const attributes = attributesOf(form[1]!);
    const body = form[2]!;
    const fields: HtmlField[] = [];
    const buttons: HtmlButton[] = [];
    for (const input of body.matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributesOf(input[1]!);
      const type = (a.get('type') ?? 'text').toLowerCase();
      const name = a.get('name');
      if (type === 'submit' || type === 'image') buttons.push({ name, value: a.get('value'), label: a.get('value') ?? '' });
      else if (name !== undefined && !a.has('disabled')) fields.push({ name, value: a.get('value') ?? '', type });
    }
    for (const button of body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button\s*>/gi)) {
      const a = attributesOf(button[1]!);
      if ((a.get('type') ?? 'submit').toLowerCase() !== 'submit') continue;
      buttons.push({ name: a.get('name'), value: a.get('value'), label: textOf(button[2]!) || (a.get('value') ?? '') });
    }
    forms.push({ action: attributes.get('action'), method: attributes.get('method')?.toUpperCase() === 'GET' ? 'GET' : 'POST', fields, buttons });
  }
  return forms;
}
