/** What completed an authorization: where the browser arrived (the client's redirect URI with its parameters), and how. */
export interface CompletedAuthorization {
  /** The redirect URI with the authorization response's parameters. */
  readonly callback: URL;
  /** Each response on the way, for checks of how the server redirects (AZ-16: no 307 after a credential POST). */
  readonly hops: readonly { readonly method: string; readonly url: string; readonly status: number }[];
  /** The login or consent pages met on the way (AZ-11, AZ-12 read them). */
  readonly pages: readonly { readonly url: string; readonly html: string; readonly headers: Headers }[];
}

/**
 * Completes authorizations the way `--browser` says: the built-in browser, the user's browser, or
 * a command. Given the authorization URL and the redirect URI it must end at.
 */
export interface AuthorizationDriver {
  complete(url: URL, redirectUri: string): Promise<CompletedAuthorization>;
}
