export { escapeHtml, html, SafeHtml, type HtmlValue } from '../../../core/html.js';
export { renderLayout, type LayoutOptions } from './layout.js';
export { PAGE_STYLE, PAGE_STYLE_HASH } from './style.js';
export { renderLoginPage, type LoginPageOptions } from './login-page.js';
export {
  renderConsentPage,
  UNNAMED_CLIENT,
  UNVERIFIED_CLIENT_WARNING,
  type ConsentPageOptions,
  type ConsentScope,
} from './consent-page.js';
export { renderErrorPage, type ErrorPageOptions } from './error-page.js';
