import type { Check } from '../../check.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { notApplicable } from '../../verdict.js';
import { type Finding, verdictOf } from './findings.js';
import { followToFirstPage, pageOrReason } from './first-page.js';

/** Whether a `frame-ancestors` source list lets any site frame the page (`*`, or a bare scheme). */
const framesAnything = (sources: readonly string[]) => sources.length === 0 || sources.some((source) => /^(\*|https?:|https?:\/\/\*)$/i.test(source));

/** What keeps the page out of another site's frame: CSP `frame-ancestors`, else `X-Frame-Options`. @see RFC 9700 §4.16 */
function framing(headers: Headers): Finding {
  const label = 'framing';
  for (const policy of (headers.get('content-security-policy') ?? '').split(',')) {
    for (const directive of policy.split(';')) {
      const [name, ...sources] = directive.trim().split(/\s+/);
      if (name?.toLowerCase() === 'frame-ancestors' && !framesAnything(sources)) {
        return { label, status: 'pass', seen: `Content-Security-Policy frame-ancestors ${sources.join(' ')}` };
      }
    }
  }
  const frameOptions = headers.get('x-frame-options')?.trim().toUpperCase();
  if (frameOptions === 'DENY' || frameOptions === 'SAMEORIGIN') return { label, status: 'pass', seen: `X-Frame-Options ${frameOptions}` };
  return {
    label,
    status: 'fail',
    seen: 'neither CSP frame-ancestors nor X-Frame-Options keeps another site from framing it (clickjacking)',
    severity: 'medium',
  };
}

const SAFE_REFERRER = new Set(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin', 'origin', 'origin-when-cross-origin']);
const UNSAFE_REFERRER = new Set(['unsafe-url', 'no-referrer-when-downgrade']);

/**
 * The page's referrer policy: the header (the last known token wins, as browsers read it) or a
 * `<meta name="referrer">`. The URL of a login page carries the authorization request.
 * @see RFC 9700 §4.2.4; W3C Referrer Policy §4.1, §11.1
 */
function referrer(response: ProbeResponse): Finding {
  const label = 'Referrer-Policy';
  const header = (response.headers.get('referrer-policy') ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => SAFE_REFERRER.has(token) || UNSAFE_REFERRER.has(token))
    .at(-1);
  const meta = /<meta\b[^>]*\bname\s*=\s*["']?referrer["']?[^>]*\bcontent\s*=\s*["']?([a-z-]+)/i.exec(response.text)?.[1]?.toLowerCase();
  const policy = header ?? meta;
  if (policy === undefined) {
    return { label, status: 'fail', seen: 'none (browsers then send the origin to other sites, the full URL within its own)', severity: 'low' };
  }
  if (UNSAFE_REFERRER.has(policy)) return { label, status: 'fail', seen: `${policy}, which sends the page's full URL to other sites`, severity: 'medium' };
  return { label, status: 'pass', seen: policy };
}

function caching(headers: Headers): Finding {
  const label = 'Cache-Control';
  const value = headers.get('cache-control') ?? '';
  if (/(^|,)\s*no-store\s*(,|$)/i.test(value)) return { label, status: 'pass', seen: 'no-store' };
  return { label, status: 'fail', seen: value === '' ? 'none, so the page may be cached' : `${value}, without no-store`, severity: 'low' };
}

/**
 * AZ-11: the login or consent page cannot be framed by another site (clickjacking: a user tricked
 * into clicking "approve"), does not leak its URL through the Referer header, and is not cached.
 * Read on the first page of the server's own a valid request reaches without a login; `na` when
 * the server approves at once.
 * @see RFC 9700 §4.16 (clickjacking), §4.2.4 (referrer); RFC 6749 §10.13
 */
export const AZ_11: Check = {
  id: 'AZ-11',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const page = pageOrReason(await followToFirstPage(probe, request));
    if (typeof page === 'string') return notApplicable(page);
    const { response, url } = page;
    const findings = [framing(response.headers), referrer(response), caching(response.headers)];
    const where = `the page at ${url.origin}${url.pathname}`;
    const verdict = verdictOf(findings, `${where} sends ${findings.map((finding) => finding.seen).join(', ')}`);
    return verdict.status === 'fail' ? { ...verdict, summary: `${where}: ${verdict.summary}` } : verdict;
  },
};
