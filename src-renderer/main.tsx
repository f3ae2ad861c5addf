import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { loadBridge } from './bridge.ts';

const container = document.getElementById('root');

async function start(root: HTMLElement): Promise<void> {
  try {
    const bridge = await loadBridge();
    createRoot(root).render(
      <StrictMode>
        <App bridge={bridge} />
      </StrictMode>,
    );
  } catch {
    // Never a blank window: say what happened in plain words.
    root.innerHTML = '';
    const message = document.createElement('p');
    message.className = 'boot-message';
    message.setAttribute('role', 'alert');
    message.textContent = 'The app could not start. Close it and open it again.';
    root.append(message);
  }
}

if (container) void start(container);
