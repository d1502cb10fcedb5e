/**
 * The catalogue rows for arctic 3.7.0, whose calls are methods of provider instances
 * (`new Google(…).createAuthorizationURL(…)`): what each provider's `createAuthorizationURL`
 * takes, and the generic `OAuth2Client`. `libraryCall` in ../oauth-libraries.ts looks them up by
 * the class of the receiver.
 */
import type { AuthorizationRequestEntry, Placement } from '../oauth-libraries.js';

/** arctic 3.7.0 providers by the signature of `createAuthorizationURL` (dist/providers/*.d.ts). */
const ARCTIC_VERIFIER_SECOND = [
  'AmazonCognito',
  'Authentik',
  'Autodesk',
  'Etsy',
  'Gitea',
  'Google',
  'KeyCloak',
  'Kick',
  'Lichess',
  'Line',
  'Mastodon',
  'MicrosoftEntraId',
  'Okta',
  'Polar',
  'Roblox',
  'Salesforce',
  'Synology',
  'TikTok',
  'Twitter',
  'Zoom',
  'MercadoLibre',
  'MercadoPago',
  'MyAnimeList',
  // `codeVerifier: string | null`: null sends no challenge.
  'Auth0',
  'Discord',
  'Spotify',
  'WorkOS',
];
/** Providers whose `createAuthorizationURL(state, …)` takes no verifier: PKCE cannot be sent through arctic. */
const ARCTIC_STATE_ONLY = [
  'Apple',
  'Atlassian',
  'BattleNet',
  'Box',
  'Bungie',
  'Coinbase',
  'Dribbble',
  'Dropbox',
  'EpicGames',
  'Facebook',
  'Figma',
  'FortyTwo',
  'GitHub',
  'GitLab',
  'Intuit',
  'Kakao',
  'Linear',
  'LinkedIn',
  'Osu',
  'Patreon',
  'Reddit',
  'Slack',
  'StartGG',
  'Strava',
  'Tiltify',
  'Tumblr',
  'Twitch',
  'VK',
  'Withings',
  'Yahoo',
  'Yandex',
  'AniList',
  'Bitbucket',
  'Notion',
  'Shikimori',
];
/** Providers whose `createAuthorizationURL` takes neither. */
const ARCTIC_NEITHER = ['Naver', 'DonationAlerts'];

function arctic(call: string, pkce: Placement, state: Placement): AuthorizationRequestEntry {
  return { library: 'arctic', read: '3.7.0', call, pkce, state };
}

export const ARCTIC_PROVIDERS: ReadonlyMap<string, AuthorizationRequestEntry> = new Map([
  ...ARCTIC_VERIFIER_SECOND.map(
    (name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'positional', argument: 1 }, { by: 'positional', argument: 0 })] as const,
  ),
  ...ARCTIC_STATE_ONLY.map(
    (name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'unsupported' }, { by: 'positional', argument: 0 })] as const,
  ),
  ...ARCTIC_NEITHER.map((name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'unsupported' }, { by: 'unsupported' })] as const),
]);

/** arctic's generic client: `createAuthorizationURL(endpoint, state, scopes)` sends no challenge; the PKCE variant exists beside it. */
export const ARCTIC_CLIENT: ReadonlyMap<string, AuthorizationRequestEntry> = new Map([
  ['createAuthorizationURL', arctic('OAuth2Client.createAuthorizationURL', { by: 'omitted' }, { by: 'positional', argument: 1 })],
  [
    'createAuthorizationURLWithPKCE',
    arctic('OAuth2Client.createAuthorizationURLWithPKCE', { by: 'positional', argument: 3 }, { by: 'positional', argument: 1 }),
  ],
]);
