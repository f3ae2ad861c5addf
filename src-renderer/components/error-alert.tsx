import type { ReactNode } from 'react';
import { FOCUS_TARGET } from '../hooks/use-focus-rule.ts';

interface Props {
  title?: string;
  message: string;
  children?: ReactNode;
  onDismiss?: () => void;
  /** Where focus goes when the control that led here went away (the focus rule). */
  focusTarget?: boolean;
}

/** An error a person must notice, announced by screen readers (role="alert"). */
export function ErrorAlert({ title, message, children, onDismiss, focusTarget }: Props) {
  return (
    <div className="callout callout--error" role="alert" {...(focusTarget ? FOCUS_TARGET : {})}>
      <svg className="callout__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <circle cx="10" cy="10" r="9" />
        <path d="M10 5.5v5.5M10 13.5v1" />
      </svg>
      <div className="callout__body">
        {title ? <p className="callout__title">{title}</p> : null}
        <p className="callout__message">{message}</p>
        {children}
      </div>
      {onDismiss ? (
        <button type="button" className="callout__dismiss" aria-label="Dismiss" onClick={onDismiss}>
          <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
            <path d="M5 5l10 10M15 5L5 15" />
          </svg>
        </button>
      ) : null}
    </div>
  );
}
