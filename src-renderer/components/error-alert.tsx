import type { ReactNode } from 'react';
import { FOCUS_TARGET } from '../hooks/use-focus-rule.ts';
import { Callout } from './callout.tsx';

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
    <Callout
      kind="error"
      role="alert"
      {...(focusTarget ? FOCUS_TARGET : {})}
      title={title}
      icon={
        <svg className="callout__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <circle cx="10" cy="10" r="9" />
          <path d="M10 5.5v5.5M10 13.5v1" />
        </svg>
      }
      onDismiss={onDismiss}
    >
      <p className="callout__message">{message}</p>
      {children}
    </Callout>
  );
}
