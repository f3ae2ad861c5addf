// The identity provider's own pages: login, sign-up, logout, errors.
// Plain HTML with inline CSS, no external assets; every interpolated value goes through escapeHtml.
import { createHash } from 'node:crypto';
import { APP_NAME } from '../src-preload/app-name.ts';
import { APP_LINK_SCHEME, DEMO_ACCOUNTS, MIN_PASSWORD_LENGTH } from './accounts.ts';

/** The app's one name: what its client is registered under here (shown on every page). */
export const PRODUCT_NAME = APP_NAME;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/gu, (char) => HTML_ESCAPES[char] ?? char);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f8;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:#1e212a}
main{width:100%;max-width:400px;margin:24px;padding:40px 36px 28px;background:#fff;border-radius:8px;
  box-shadow:0 12px 40px rgba(0,0,0,.12)}
.brand{width:52px;height:52px;margin:0 auto 16px;border-radius:50%;background:#635dff;color:#fff;
  display:flex;align-items:center;justify-content:center;font-weight:700;font-size:22px}
h1{margin:0 0 4px;font-size:24px;font-weight:600;text-align:center}
p.lead{margin:0 0 24px;text-align:center;color:#5c6070;font-size:14px}
label{display:block;margin:14px 0 6px;font-size:14px;font-weight:600}
input{width:100%;height:48px;padding:0 14px;border:1px solid #c9cace;border-radius:4px;font:inherit}
input:focus{outline:2px solid #635dff;outline-offset:0;border-color:#635dff}
button{width:100%;height:50px;margin-top:24px;border:0;border-radius:4px;background:#635dff;color:#fff;
  font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#4f48e2}
.error{margin:0 0 8px;padding:10px 12px;border-radius:4px;background:#fdecea;color:#a4171d;font-size:14px}
.hint{margin:4px 0 0;color:#5c6070;font-size:13px}
.switch{margin:20px 0 0;text-align:center;font-size:14px}
a{color:#4f48e2}
.user-code{margin:8px 0 4px;padding:14px 8px;border:1px dashed #c9cace;border-radius:6px;text-align:center;
  font:700 30px/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em}
input.code-input{text-align:center;text-transform:uppercase;font:600 22px/1 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em}
.warning{margin:20px 0 0;padding:10px 12px;border-radius:4px;background:#fff6e0;color:#5b4100;font-size:13px}
button.secondary{margin-top:12px;background:#fff;color:#4f48e2;border:1px solid #c9cace}
button.secondary:hover{background:#f3f4f8}
footer{margin-top:24px;padding-top:14px;border-top:1px solid #eceef2;color:#6a6f7e;font-size:12px;text-align:center}
code{font-size:12px}
`;

/**
 * The one inline script of the login and sign-up forms: an error from the last submission goes away
 * as soon as the person edits the form (else it stays beside the browser's own, newer warning).
 * Allowed by its hash in the CSP, so no other inline script runs.
 */
const CLEAR_ERROR_SCRIPT = `document.querySelectorAll('form').forEach(function(f){f.addEventListener('input',function(){document.querySelectorAll('.error').forEach(function(e){e.remove()})})})`;
const CLEAR_ERROR_SCRIPT_HASH = `'sha256-${createHash('sha256').update(CLEAR_ERROR_SCRIPT).digest('base64')}'`;

/** Headers for every page the provider renders itself. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // form-action must allow the redirects that follow a form POST (back to /auth, then to the app's
  // loopback port or its app link).
  'Content-Security-Policy': `default-src 'none'; script-src ${CLEAR_ERROR_SCRIPT_HASH}; style-src 'unsafe-inline'; img-src data:; form-action 'self' http://127.0.0.1:* ${APP_LINK_SCHEME}:; frame-ancestors 'none'; base-uri 'none'`,
});

function layout(title: string, body: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${extraHead}
</head>
<body>
<main>
<div class="brand" aria-hidden="true">HW</div>
${body}
</main>
</body>
</html>`;
}

function errorBlock(message: string | undefined, link?: { href: string; text: string }): string {
  if (!message) return '';
  const action = link ? ` <a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>` : '';
  return `<p class="error" role="alert">${escapeHtml(message)}${action}</p>`;
}

function demoFooter(): string {
  const list = DEMO_ACCOUNTS.map(
    (account) =>
      `<br><code>${escapeHtml(account.email)}</code> / <code>${escapeHtml(account.password)}</code>`,
  ).join('');
  return `<footer>Local devstack. Demo accounts:${list}</footer>`;
}

export interface FormPageInput {
  uid: string;
  email?: string;
  name?: string;
  error?: string;
  /** The error is "this email already has an account": offer the login page as a link. */
  loginInstead?: boolean;
}

export function loginPage({ uid, email, error }: FormPageInput): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  return layout(
    `Log in | ${PRODUCT_NAME}`,
    `
<h1>Welcome</h1>
<p class="lead">Log in to ${escapeHtml(PRODUCT_NAME)} to continue.</p>
${errorBlock(error)}
<form method="post" action="${escapeHtml(`${base}/login`)}">
<label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required ${email ? '' : 'autofocus'} value="${escapeHtml(email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required ${email ? 'autofocus' : ''}>
<button type="submit">Log In</button>
</form>
<p class="switch">Don't have an account? <a href="${escapeHtml(`${base}/signup`)}">Sign up</a></p>
${demoFooter()}
<script>${CLEAR_ERROR_SCRIPT}</script>`,
  );
}

export function signUpPage({ uid, email, name, error, loginInstead }: FormPageInput): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  // The browser checks the same rules as the server (length, not only spaces) before it submits.
  return layout(
    `Sign up | ${PRODUCT_NAME}`,
    `
<h1>Create your account</h1>
<p class="lead">Sign up to ${escapeHtml(PRODUCT_NAME)} to continue.</p>
${errorBlock(error, loginInstead ? { href: `${base}/login`, text: 'Log in instead' } : undefined)}
<form method="post" action="${escapeHtml(`${base}/signup`)}">
<label for="name">Name <span class="hint">(optional)</span></label>
<input id="name" name="name" type="text" autocomplete="name" value="${escapeHtml(name)}" ${email ? '' : 'autofocus'}>
<label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" pattern=".*\\S.*" title="At least ${MIN_PASSWORD_LENGTH} characters, not only spaces." aria-describedby="password-hint" ${email ? 'autofocus' : ''}>
<p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters, not only spaces.</p>
<button type="submit">Sign Up</button>
</form>
<p class="switch">Already have an account? <a href="${escapeHtml(`${base}/login`)}">Log in instead</a></p>
${demoFooter()}
<script>${CLEAR_ERROR_SCRIPT}</script>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(
    title,
    `
<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(message)}</p>`,
  );
}

/**
 * RP-initiated logout confirmation. A real provider (Auth0's /v2/logout, /oidc/logout) does not ask the
 * user to confirm a logout the app asked for, so the form (which carries oidc-provider's xsrf token)
 * submits itself with logout=yes. The button is only there when scripts are off.
 */
export function logoutPage(form: string): string {
  const autoSubmitting = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Log Out</button></noscript></form>',
  );
  const script = `<script>document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()})</script>`;
  return layout(
    `Logging out | ${PRODUCT_NAME}`,
    `
<h1>Logging out…</h1>
<p class="lead">Ending your session.</p>
${autoSubmitting}`,
    script,
  );
}

export function postLogoutPage(clientName: string | undefined): string {
  const who = clientName ? ` of ${clientName}` : '';
  return messagePage('You are logged out', `You have logged out${who}. You can close this tab.`);
}

export function errorPage(error: string, description: string | undefined): string {
  return layout(
    `Error | ${PRODUCT_NAME}`,
    `
<h1>Something went wrong</h1>
${errorBlock(description ?? error)}
<p class="lead"><code>${escapeHtml(error)}</code></p>
<p class="lead">Return to the app and try again.</p>`,
  );
}

/** A line every code page carries: the code phishing defence is the user knowing where the code came from. */
const CODE_WARNING = `Only enter a code that ${PRODUCT_NAME} is showing you because you just started signing in there. If someone sent you a code or this link, close this page.`;

/**
 * RFC 8628 §3.3: where the user types the code the app shows. `form` is oidc-provider's own form
 * (it carries the anti-forgery token); it gets a label and our submit button.
 */
export function deviceInputPage(form: string, error?: string): string {
  const labelled = form.replace(
    'name="user_code"',
    'id="user_code" name="user_code" class="code-input" aria-describedby="code-hint"',
  );
  return layout(
    `Enter your code | ${PRODUCT_NAME}`,
    `
<h1>Sign in with a code</h1>
<p class="lead">Enter the code ${escapeHtml(PRODUCT_NAME)} shows you.</p>
${errorBlock(error)}
<label for="user_code">Code</label>
${labelled}
<p class="hint" id="code-hint">Eight letters, like BCDF-GHJK. Upper or lower case, with or without the dash.</p>
<button type="submit" form="op.deviceInputForm">Continue</button>
<p class="warning">${escapeHtml(CODE_WARNING)}</p>`,
  );
}

/** After login: the user compares the code with the app's and confirms, or declines (RFC 8628 §5.4). */
export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return layout(
    `Confirm the code | ${PRODUCT_NAME}`,
    `
<h1>Is this the code in the app?</h1>
<p class="lead">${escapeHtml(clientName)} will be signed in to your account.</p>
<p class="user-code" id="user-code" aria-label="Code">${escapeHtml(userCode)}</p>
<p class="hint">Compare it with the code ${escapeHtml(PRODUCT_NAME)} shows. Continue only if they are the same.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Yes, sign in</button>
<button type="submit" class="secondary" form="op.deviceConfirmForm" name="abort" value="yes">No, cancel</button>
<p class="warning">${escapeHtml(CODE_WARNING)}</p>`,
  );
}

export function deviceSuccessPage(clientName: string): string {
  return messagePage(
    'You are signed in',
    `${clientName} is signing you in now. You can close this tab and return to the app.`,
  );
}
