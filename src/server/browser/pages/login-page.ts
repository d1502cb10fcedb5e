import { html } from '../../../core/html.js';
import { renderHiddenFields } from './hidden-fields.js';
import { renderLayout } from './layout.js';

export interface LoginPageOptions {
  /** Where the form posts to. */
  action: string;
  /** Carried through the post unchanged, e.g. `csrf_token` and `request`. */
  hiddenFields: Readonly<Record<string, string>>;
  /** The client's registered `client_name`, or `null` if it gave none. */
  clientName: string | null;
  clientId: string;
  /** Host of the validated redirect URI, where the user ends up after the flow. */
  redirectHost: string;
  /** Refilled after a failed attempt. */
  username?: string | undefined;
  /** A public message such as "Wrong username or password." Never a detail for logs. */
  error?: string | undefined;
  /** Upstream identity providers offered as buttons (`name="provider"`, value the id). Default: none. */
  providers?: readonly { id: string; name: string }[];
  /** Whether the username and password form is shown. Default: true. */
  localUsers?: boolean;
}

/**
 * The sign-in page of the authorization endpoint. Contract (docs/design.md): a `<form method="post">`
 * with inputs named `username` and `password`, plus the hidden fields. Every value is escaped:
 * client names, hosts and usernames come from whoever registered the client or sent the request.
 */
export function renderLoginPage(options: LoginPageOptions): string {
  const { action, hiddenFields, clientName, clientId, redirectHost, username = '', error, providers = [], localUsers = true } = options;
  const invalid = error ? html` aria-invalid="true" aria-describedby="login-error"` : null;
  // One form per provider button keeps the docs/design.md contract: the first form with a password is the local one.
  const providerForms = providers.map(
    (p) => html`<form method="post" action="${action}" class="provider">
${renderHiddenFields(hiddenFields)}<button type="submit" name="provider" value="${p.id}" class="button-primary button-block">Sign in with <bdi>${p.name}</bdi></button>
</form>
`,
  );
  const localForm = html`<form method="post" action="${action}">
${renderHiddenFields(hiddenFields)}<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${username}" autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false" required${username ? null : html` autofocus`}${invalid}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${username ? html` autofocus` : null}${invalid}>
</div>
<button type="submit" class="button-primary button-block">Sign in</button>
</form>`;
  const body = html`<h1>Sign in <span class="subtitle">to continue to <strong>${clientName === null ? 'an unnamed application' : html`<bdi>${clientName}</bdi>`}</strong></span></h1>
${error ? html`<div class="notice notice-error" id="login-error" role="alert"><p>${error}</p></div>` : null}
${providerForms}${
  providerForms.length > 0 && localUsers
    ? html`<p class="muted separator">or with a Portcullis account</p>
`
    : null
}${localUsers ? localForm : null}
<dl class="details">
<div><dt>Application</dt><dd>${clientName === null ? 'Unnamed' : html`<bdi>${clientName}</bdi>`}</dd></div>
<div><dt>Client ID</dt><dd><code>${clientId}</code></dd></div>
<div><dt>Returns you to</dt><dd><strong>${redirectHost}</strong></dd></div>
</dl>`;
  return renderLayout({ title: 'Sign in', body });
}
