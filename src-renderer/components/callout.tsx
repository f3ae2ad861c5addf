import type { HTMLAttributes, ReactNode } from 'react';

/** What a callout says by its colour: a failure, something to know, something to act on, progress. */
export type CalloutKind = 'error' | 'info' | 'warning' | 'progress';

interface Props extends Omit<HTMLAttributes<HTMLDivElement>, 'title'> {
  kind: CalloutKind;
  /** Its bold first line, if it has one. */
  title?: ReactNode;
  /** An icon before the words (decorative: `aria-hidden`). */
  icon?: ReactNode;
  /** Shows a Dismiss button (×) after the words. */
  onDismiss?: () => void;
  /** The words under the title: `.callout__message` paragraphs, lists, an action button. */
  children?: ReactNode;
}

/**
 * A coloured box of words (styles: callout.css). Other attributes (role, tabIndex, data-*) go on
 * the box itself: role="alert" for what a person must notice, "status" for news.
 */
export function Callout({ kind, title, icon, onDismiss, children, className, ...box }: Props) {
  return (
    <div className={`callout callout--${kind}${className ? ` ${className}` : ''}`} {...box}>
      {icon}
      <div className="callout__body">
        {title ? <p className="callout__title">{title}</p> : null}
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
