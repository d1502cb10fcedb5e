import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';
import { authorizationServerUrls, shown } from './advertised-urls.js';

/** Characters RFC 3986 never allows unescaped in a URL: controls, space, `"`, `<>{}|\^` and backtick. */
const NEVER_IN_A_URL = /[\u0000-\u0020\u007f"<>\\^`{|}]/;
/** Legal in a URL (a sub-delimiter), but a shell's quote; no endpoint needs one unescaped. */
const QUOTE = /'/;
/** A `%` that does not start a percent-encoding: a Windows `%VAR%` expansion, among others. */
const BARE_PERCENT = /%(?![0-9A-Fa-f]{2})/;
/** A shell command substitution, `$(…)`: `$`, `(` and `)` are each legal in a URL, together a shell's. */
const SUBSTITUTION = /\$\(/;

/** What makes `value` dangerous to a client that opens it, or undefined. */
export function urlHazard(value: string): { readonly severity: 'critical' | 'high'; readonly what: string } | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined || !URL.canParse(value)) return { severity: 'high', what: 'is not an absolute URL' };
  if (scheme !== 'https' && scheme !== 'http') return { severity: 'critical', what: `has the scheme ${scheme}:, not http(s)` };
  const character = NEVER_IN_A_URL.exec(value)?.[0];
  if (character !== undefined) return { severity: 'high', what: `holds ${JSON.stringify(character)}, which no URL holds unescaped` };
  if (QUOTE.test(value)) return { severity: 'high', what: 'holds a single quote, which a shell reads (a URL writes it %27)' };
  if (BARE_PERCENT.test(value)) return { severity: 'high', what: 'holds a % that is not a percent-encoding (an environment variable, %VAR%)' };
  if (SUBSTITUTION.test(value)) return { severity: 'high', what: 'holds a shell command substitution, $(…)' };
  return undefined;
}

/**
 * ASM-07: every URL the metadata advertises is an absolute http(s) URL made of characters a URL
 * holds. Clients open the authorization endpoint in a browser, and some have done it through a
 * shell (`open`, `start`, `xdg-open`): a `javascript:` or `file:` URL, or one carrying `$(…)`,
 * backticks or `%VAR%`, runs code on the user's machine (CVE-2025-6514, mcp-remote). Another
 * scheme is Critical; characters a valid URL never holds, a quote, `$(`, or a value that is not
 * an absolute URL are High. A plain `&` in a query is a
 * URL's own and not a finding.
 * @see MCP Security Best Practices; CVE-2025-6514; RFC 3986 §2, §3.1
 */
export const ASM_07: Check = {
  id: 'ASM-07',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const urls = authorizationServerUrls(metadata);
    if (typeof metadata['issuer'] === 'string') urls.unshift({ name: 'issuer', value: metadata['issuer'], kind: 'endpoint' });
    const hazards = urls.flatMap(({ name, value }) => {
      const hazard = urlHazard(value);
      return hazard === undefined ? [] : [{ ...hazard, text: `${name} ${shown(value)} ${hazard.what}` }];
    });
    const critical = hazards.filter(({ severity }) => severity === 'critical');
    const worst = critical.length > 0 ? critical : hazards;
    if (worst.length > 0) {
      const summary = `${worst.map(({ text }) => text).join('; ')}: a client that opens it may run it`;
      return critical.length > 0 ? fail(summary) : fail(summary, 'high');
    }
    return pass(`${urls.length} advertised URLs, each an absolute http(s) URL of URL characters`);
  },
};
