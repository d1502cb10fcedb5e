import { isSecretField, redactValue } from '../core/redact.js';

/**
 * Keeps every token, code, secret and cookie out of what the auditor shows. Two nets: by name (a
 * query parameter, form field, JSON member or header whose name is a secret's), and by value
 * (every secret the auditor obtained or was given is remembered, and found wherever it appears,
 * in a page, an error description or a URL). Redaction happens when the report is written, so a
 * secret learned late is still taken out of what was recorded early.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remembers a secret to take out wherever it appears; values under 8 characters are too common to find safely, and are redacted by name only. */
  remember(value: string | undefined): void {
    if (value !== undefined && value.length >= 8) this.#secrets.add(value);
  }

  /** `text` with every remembered secret replaced. */
  text(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(redactValue(secret));
    // Hidden inputs and query strings carry secrets by name (a CSRF token, a code in a link).
    out = out.replace(/(name=["']?([\w-]+)["']?\s+value=["'])([^"']*)/gi, (all, head: string, name: string, value: string) =>
      isSecretField(name) && value !== '' ? `${head}${redactValue(value)}` : all,
    );
    return out.replace(/([?&;]|\b)([\w-]+)=([^&\s"'<>#]{8,})/g, (all, sep: string, name: string, value: string) =>
      isSecretField(name) && !value.includes('…') ? `${sep}${name}=${redactValue(decodeURIComponentSafe(value))}` : all,
    );
  }

  /** A header value: `Authorization: Bearer abcd…wxyz (len=N)`, cookies with their values redacted. */
  header(name: string, value: string): string {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      const [scheme, ...rest] = value.split(' ');
      return rest.length === 0 ? redactValue(value) : `${scheme} ${redactValue(rest.join(' '))}`;
    }
    if (lower === 'cookie') return value.replace(/=([^;]*)/g, (_all, v: string) => `=${redactValue(v)}`);
    if (lower === 'set-cookie') return value.replace(/^([^=]*)=([^;]*)/, (_all, n: string, v: string) => `${n}=${redactValue(v)}`);
    return this.text(value);
  }

  /** A JSON value with every member of a secret's name redacted, at any depth, and remembered secrets taken out of strings. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = isSecretField(key) && typeof member === 'string' ? redactValue(member) : this.json(member);
    }
    return out;
  }
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
