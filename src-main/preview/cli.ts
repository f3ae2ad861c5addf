/**
 * `npm run preview`: the app in your browser, on the same core as the Electron app. Prints
 * `Preview: http://127.0.0.1:<port>/#key=<key>` (a new key each launch) and opens it through an
 * owner-only redirect file, so the key is never on a command line (open-link.ts).
 * PREVIEW_PORT (default: any free port), PREVIEW_DATA_DIR (default: a fresh temporary folder),
 * PREVIEW_EXTERNAL_BROWSER=capture (record sign-in URLs at /__preview/external-urls instead of
 * opening them), PREVIEW_ENCRYPTION=unavailable (behave like a Linux desktop without a keyring:
 * nothing is saved), and the app's own AUTH0_* settings (none: the local devstack, which keeps its
 * keys, sessions and sign-ups in <data folder>/devstack so a restart on the same folder stays signed in).
 * UPDATE_FEED_URL and UPDATE_PUBLIC_KEY: Settings → Updates against that feed, the install step
 * recorded instead of quitting (updates.ts; README "Updates").
 */
import { ConfigError } from '../core/config.ts';
import { openLinkThroughFile, type RedirectFile } from './open-link.ts';
import { openFileInSystemBrowser } from './opener.ts';
import { createPreviewConsoleLogger, startPreview } from './server.ts';

const env = process.env;
const mode = env.PREVIEW_EXTERNAL_BROWSER === 'capture' ? 'capture' : 'system';
const port = env.PREVIEW_PORT ? Number(env.PREVIEW_PORT) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PREVIEW_PORT: "${env.PREVIEW_PORT}" is not a port (0–65535).`);
  process.exit(1);
}

try {
  const preview = await startPreview({
    env,
    port,
    externalBrowser: mode,
    encryption: env.PREVIEW_ENCRYPTION === 'unavailable' ? 'unavailable' : 'available',
    ...(env.PREVIEW_DATA_DIR ? { dataDir: env.PREVIEW_DATA_DIR } : {}),
    log: createPreviewConsoleLogger(),
  });
  console.log(preview.summary);
  console.log(`Session data: ${preview.dataDir}`);
  // The link carries this launch's key in its fragment: only a browser that opens it can use the app.
  console.log(`Preview: ${preview.link}`);
  let redirect: RedirectFile | undefined;
  if (mode === 'system' && env.PREVIEW_OPEN !== '0' && !env.CI) {
    // Never the link itself on the opener's command line (every local user can read it there): an
    // owner-only file that redirects to it, deleted once the key was used or after a minute.
    const opening = openLinkThroughFile(preview.link, {
      open: openFileInSystemBrowser,
      keyUsed: preview.keyUsed,
    });
    redirect = opening.redirect;
    opening.opened.catch((error: unknown) =>
      console.warn(
        `${error instanceof Error ? error.message : String(error)} Open the link above yourself.`,
      ),
    );
  }
  const shutdown = () => {
    redirect?.remove();
    preview.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? `Configuration error: ${error.message}`
      : `Preview failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
