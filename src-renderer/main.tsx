import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { APP_NAME } from '../src-preload/app-name.ts';
import { App } from './app.tsx';
import { loadBridge, PREVIEW_RESTARTED, PreviewLockedError } from './bridge.ts';

const container = document.getElementById('root');

async function start(root: HTMLElement): Promise<void> {
  try {
    const bridge = await loadBridge();
    const app = createRoot(root);
    // The preview restarted with a new key: say so at once instead of failing at every click.
    window.addEventListener(
      PREVIEW_RESTARTED,
      () => {
        app.unmount();
        showLocked(root, true);
      },
      { once: true },
    );
    app.render(
      <StrictMode>
        <App bridge={bridge} />
      </StrictMode>,
    );
  } catch (error) {
    // Never a blank window: say what happened in plain words.
    root.innerHTML = '';
    if (error instanceof PreviewLockedError) {
      showLocked(root);
      return;
    }
    const message = document.createElement('p');
    message.className = 'boot-message';
    message.setAttribute('role', 'alert');
    message.textContent = 'The app could not start. Close it and open it again.';
    root.append(message);
  }
}

/** The browser preview opened without this launch's key (an old link, or the bare address). */
function showLocked(root: HTMLElement, restarted = false): void {
  document.title = `Open the link printed in the terminal · ${APP_NAME}`;
  const main = document.createElement('main');
  main.className = 'locked-page';
  const heading = document.createElement('h1');
  heading.className = 'locked-page__title';
  heading.textContent = 'Open the link printed in the terminal';
  const explain = document.createElement('p');
  explain.textContent =
    'This preview answers only the browser that opened its link. In the terminal where you ran npm run preview, open the address on the line that starts with:';
  const sample = document.createElement('pre');
  sample.className = 'locked-page__sample';
  sample.textContent = `Preview: ${window.location.origin}/#key=…`;
  const restart = document.createElement('p');
  restart.textContent =
    'Each launch prints a new link: after a restart, the old one no longer works.';
  if (restarted) {
    const why = document.createElement('p');
    why.className = 'locked-page__why';
    why.textContent = 'The preview was restarted, so this window’s link no longer works.';
    main.append(heading, why, explain, sample, restart);
  } else {
    main.append(heading, explain, sample, restart);
  }
  root.append(main);
  // The only thing to do here: take keyboard and screen-reader users to it.
  heading.tabIndex = -1;
  heading.focus();
}

if (container) void start(container);
