export { escapeHtml, type HtmlValue, html, SafeHtml } from '../../../core/html.js';
export {
  type ConsentPageOptions,
  type ConsentScope,
  renderConsentPage,
  UNNAMED_CLIENT,
  UNVERIFIED_CLIENT_WARNING,
} from './consent-page.js';
export { type ErrorPageOptions, renderErrorPage } from './error-page.js';
export { type LayoutOptions, renderLayout } from './layout.js';
export { type LoginPageOptions, renderLoginPage } from './login-page.js';
export { PAGE_STYLE, PAGE_STYLE_HASH } from './style.js';
