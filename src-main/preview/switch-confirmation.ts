/**
 * The preview's stand-in for the Electron app's main-process dialog (N5 of the second security
 * review): Settings → Save that would switch to another provider or API waits until the person
 * confirms it on a page the host serves itself, at `/__confirm/<id>`, opened as a new browser tab.
 *
 * The renderer cannot click it: the id (32 random bytes) is never sent to the renderer, only to the
 * system browser; the decision is taken only from a form submitted by a person in that page (a
 * same-origin POST navigation: `Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`), never from a
 * script's fetch, and the page may not be framed. One confirmation at a time; unanswered after two
 * minutes it counts as Cancel.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderSwitch } from '../core/host.ts';
import { APP_NAME } from '../core/loopback.ts';

export const CONFIRM_PREFIX = '/__confirm/';
export const CONFIRM_TIMEOUT_MS = 120_000;
const MAX_FORM_BYTES = 1024;

/** The page's own look: readable, the Switch button the primary one. */
const PAGE_STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;',
  'color:#1f2430}',
  'dt{font-weight:600}',
  'dd{margin:0 0 .5rem;font-family:ui-monospace,monospace;overflow-wrap:anywhere}',
  'button{font:inherit;padding:.5rem 1rem;margin:.5rem .5rem 0 0;border-radius:6px;',
  'border:1px solid #4f5664;background:#fff;color:#1f2430;cursor:pointer}',
  'button[value=switch]{background:#3f3cbb;border-color:#3f3cbb;color:#fff}',
].join('');
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

interface Pending {
  id: string;
  change: ProviderSwitch;
  decide(confirmed: boolean): void;
}

export class SwitchConfirmations {
  private pending: Pending | undefined;

  private readonly open: (url: string) => Promise<void>;
  private readonly origin: () => string;
  private readonly timeoutMs: number;

  /**
   * `open` opens the confirmation page in the person's browser; `origin` is the preview's origin,
   * known once it listens.
   */
  constructor(
    open: (url: string) => Promise<void>,
    origin: () => string,
    timeoutMs = CONFIRM_TIMEOUT_MS,
  ) {
    this.open = open;
    this.origin = origin;
    this.timeoutMs = timeoutMs;
  }

  /** Opens the page and waits for the person's answer (false: Cancel, timeout, or another pending). */
  ask(change: ProviderSwitch): Promise<boolean> {
    if (this.pending) return Promise.resolve(false);
    const id = randomBytes(32).toString('base64url');
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => decide(false), this.timeoutMs);
      timer.unref();
      const decide = (confirmed: boolean) => {
        clearTimeout(timer);
        if (this.pending?.id === id) this.pending = undefined;
        resolve(confirmed);
      };
      this.pending = { id, change, decide };
      this.open(`${this.origin()}${CONFIRM_PREFIX}${id}`).catch(() => decide(false));
    });
  }

  /** Cancels a pending confirmation (the preview stops). */
  close(): void {
    this.pending?.decide(false);
  }

  /** Answers a request under `/__confirm/`. Host and Origin were checked by the server already. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const pending = this.pending;
    const id = pathname.slice(CONFIRM_PREFIX.length);
    if (!pending || id !== pending.id)
      return page(res, 404, 'Nothing to confirm', [
        'This confirmation is over, or never existed. Go back to the app.',
      ]);
    if (req.method === 'GET') return confirmationPage(res, pending);
    if (req.method !== 'POST') return page(res, 405, 'Not allowed', ['Use the buttons.']);
    // Only the page's own form, submitted by a person: a same-origin navigation, not a script.
    const site = req.headers['sec-fetch-site'];
    const mode = req.headers['sec-fetch-mode'];
    const dest = req.headers['sec-fetch-dest'];
    if (
      req.headers.origin !== this.origin() ||
      (site !== undefined && site !== 'same-origin') ||
      (mode !== undefined && mode !== 'navigate') ||
      (dest !== undefined && dest !== 'document') ||
      !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')
    )
      return page(res, 403, 'Not confirmed', [
        'Only the buttons on this page can confirm the switch.',
      ]);
    const body = await readForm(req);
    const decision = new URLSearchParams(body ?? '').get('decision');
    if (decision !== 'switch' && decision !== 'cancel')
      return page(res, 400, 'Not confirmed', ['Use the buttons.']);
    pending.decide(decision === 'switch');
    return decision === 'switch'
      ? page(res, 200, 'Switched', [
          `The app now switches to ${targetOf(pending.change)}. You can close this tab and go back to the app.`,
        ])
      : page(res, 200, 'Not switched', [
          'The app keeps its provider. You can close this tab and go back to the app.',
        ]);
  }
}

function targetOf(change: ProviderSwitch): string {
  return change.kind === 'demo' ? 'the built-in demo provider' : change.issuerHost;
}

function confirmationPage(res: ServerResponse, pending: Pending): void {
  const change = pending.change;
  const rows =
    change.kind === 'demo'
      ? `<dt>Sign in at</dt><dd>the built-in demo provider, on this computer</dd>`
      : `<dt>Sign in at</dt><dd>${escape(change.issuerHost)}</dd><dt>API</dt><dd>${escape(change.apiOrigin)}</dd>`;
  send(
    res,
    200,
    'Switch identity provider?',
    `<h1>Switch identity provider?</h1>
<p>Settings in the app asked to switch to:</p>
<dl>${rows}</dl>
<p>You will be signed out of the app. Switch only if you just pressed Save in the app's Settings.</p>
<form method="post" action="${CONFIRM_PREFIX}${pending.id}">
<button type="submit" name="decision" value="switch">Switch to ${escape(targetOf(change))}</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`,
  );
}

function page(res: ServerResponse, status: number, title: string, lines: string[]): void {
  send(
    res,
    status,
    title,
    `<h1>${escape(title)}</h1>${lines.map((line) => `<p>${escape(line)}</p>`).join('')}`,
  );
}

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // Not no-referrer: with it a form POST carries `Origin: null`, which the host refuses.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · ${APP_NAME}</title>
<style>${PAGE_STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`);
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function readForm(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_FORM_BYTES) {
        req.pause();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
