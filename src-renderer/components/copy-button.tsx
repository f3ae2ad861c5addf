import { useEffect, useState } from 'react';

/**
 * "Copy": puts `text` on the clipboard and says so for two seconds. The accessible name says what is
 * copied ("Copy http://…"); the visible part is `label`.
 */
export function CopyButton({
  text,
  label = 'Copy',
  what = text,
}: {
  text: string;
  label?: string;
  /** What the accessible name says is copied. */
  what?: string;
}) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (copied === 'idle') return;
    const timer = setTimeout(() => setCopied('idle'), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="button button--secondary-light button--small"
      onClick={() => void copyText(text).then((ok) => setCopied(ok ? 'copied' : 'failed'))}
    >
      <span aria-live="polite">
        {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Select and copy' : label}
      </span>
      <span className="visually-hidden"> {what}</span>
    </button>
  );
}

/**
 * The async Clipboard API where the page may use it (the preview on 127.0.0.1); else the selection
 * and `copy` command, which needs no permission (the Electron app denies every permission request).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Selecting the text moves focus: give it back to the control that asked (the focus rule).
    const previous = document.activeElement;
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } finally {
      area.remove();
      if (previous instanceof HTMLElement) previous.focus();
    }
  }
}
