import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { loadBridge, PreviewLockedError } from './bridge.ts';

const container = document.getElementById('root');

async function start(root: HTMLElement): Promise<void> {
  try {
    const bridge = await loadBridge();
    createRoot(root).render(
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
function showLocked(root: HTMLElement): void {
  document.title = 'Open the link printed in the terminal · Hello World';
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
  main.append(heading, explain, sample, restart);
  root.append(main);
}

if (container) void start(container);
