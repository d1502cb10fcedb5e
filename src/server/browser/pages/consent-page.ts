import { html, type SafeHtml, safeHttpUrl } from '../../../core/html.js';
import { renderHiddenFields } from './hidden-fields.js';
import { renderLayout } from './layout.js';

export interface ConsentScope {
  name: string;
  /** What the scope lets the application do, in plain words. */
  description?: string | undefined;
  /** Set only when the user approved this client before (a step-up): a scope not approved then, marked "New". */
  isNew?: boolean | undefined;
}

export interface ConsentPageOptions {
  /** Where the form posts to. */
  action: string;
  /** Carried through the post unchanged, e.g. `csrf_token` and `request`. */
  hiddenFields: Readonly<Record<string, string>>;
  /** The client's `client_name`, or `null` if it gave none. */
  clientName: string | null;
  clientId: string;
  /** The client's `client_uri`; shown as a link only if it is an http(s) URL. */
  clientUri?: string | null | undefined;
  /** Host of the validated redirect URI, where the user is sent after deciding. */
  redirectHost: string;
  /** The RFC 8707 resource (the MCP server) the token will be for. */
  resource: string;
  /** The resource's configured name (`gateway.resourceName`), shown above its URL. */
  resourceName?: string | undefined;
  scopes: readonly ConsentScope[];
  /** The signed-in user; null before an upstream sign-in, when `signInWith` says where it happens. */
  username: string | null;
  /** The identity provider the user signs in with after approving. */
  signInWith?: string | undefined;
  /** True when the client registered itself (RFC 7591) or is known only by its metadata document. */
  isDynamicallyRegistered: boolean;
}

/** Shown for a self-registered client; its name and website are only what it claims. */
export const UNVERIFIED_CLIENT_WARNING = 'Portcullis has not verified this application. Approve only if you started this sign-in.';

/** The name shown for a client that registered without `client_name`. */
export const UNNAMED_CLIENT = 'An unnamed application';

/**
 * The consent page. Contract (docs/design.md): a `<form method="post">` whose submit buttons are
 * `name="decision"` with values `approve` and `deny`.
 *
 * A self-registered client gets a warning: anyone can register a client named after a trusted
 * application, and an attacker's link that lands a signed-in user here would otherwise be one click
 * from a grant. It names where the user will be sent, which the attacker cannot disguise.
 * @see MCP Security Best Practices, "Confused Deputy Problem"
 * @see RFC 9700 §4.15 (clickjacking; the server sends `frame-ancestors 'none'`)
 */
export function renderConsentPage(options: ConsentPageOptions): string {
  const { action, hiddenFields, clientName, clientId, redirectHost, resource, scopes, username } = options;
  const unverified = options.isDynamicallyRegistered;
  const displayName = clientName === null ? UNNAMED_CLIENT : html`<bdi>${clientName}</bdi>`;
  const website = safeHttpUrl(options.clientUri);
  const isStepUp = scopes.some((scope) => scope.isNew === true);
  const body = html`<h1>${displayName} <span class="subtitle">wants to access your account</span></h1>
${username !== null ? html`<p class="lead">Signed in as <strong><bdi>${username}</bdi></strong></p>` : null}
${options.signInWith !== undefined ? html`<p class="lead">After you approve, you sign in with <strong><bdi>${options.signInWith}</bdi></strong>.</p>` : null}
${unverified ? html`<div class="notice notice-warning"><p><strong>${UNVERIFIED_CLIENT_WARNING}</strong></p><p>Its name and website are provided by the application itself.</p></div>` : null}
<dl class="details">
<div><dt>Application</dt><dd>${displayName}</dd></div>
<div><dt>Client ID</dt><dd><code>${clientId}</code></dd></div>
${website ? html`<div><dt>Website</dt><dd><a href="${website}" rel="noopener noreferrer nofollow">${website}</a>${unverified ? ' (not verified)' : null}</dd></div>` : null}
<div><dt>MCP server</dt><dd>${options.resourceName !== undefined ? html`<strong class="resource-name"><bdi>${options.resourceName}</bdi></strong><br>` : null}<code>${resource}</code></dd></div>
</dl>
<h2 id="scopes-heading">${scopes.length > 0 ? 'It will be able to' : 'Permissions'}</h2>
${isStepUp ? html`<p class="lead">You approved this application before. It now also asks for the permissions marked <strong>New</strong>.</p>` : null}
${renderScopes(scopes)}
<p class="redirect">After you approve, you will be sent to <strong>${redirectHost}</strong></p>
<form method="post" action="${action}">
${renderHiddenFields(hiddenFields)}<div class="actions">
<button type="submit" name="decision" value="deny" class="button-secondary">Deny</button>
<button type="submit" name="decision" value="approve" class="button-primary">Approve</button>
</div>
</form>`;
  return renderLayout({ title: 'Approve access', body });
}

function renderScopes(scopes: readonly ConsentScope[]): SafeHtml {
  if (scopes.length === 0) {
    return html`<p class="muted">No specific permissions were requested; the MCP server decides what the application may do.</p>`;
  }
  return html`<ul class="scopes" aria-labelledby="scopes-heading">
${scopes.map((scope) => html`<li${scope.isNew === true ? html` class="scope-new"` : null}><code>${scope.name}</code>${scope.isNew === true ? html` <strong class="scope-new-label">New</strong>` : null}${scope.description ? html`<span>${scope.description}</span>` : null}</li>\n`)}</ul>`;
}
