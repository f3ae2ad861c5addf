import { useId } from 'react';
import { FOCUS_TARGET } from '../hooks/use-focus-rule.ts';

/** Any JSON with a title, like the `code-snippet` of Auth0's Hello World samples. */
export function CodeSnippet({ title, code }: { title: string; code: string }) {
  const titleId = useId();
  return (
    <section className="code-snippet" aria-labelledby={titleId}>
      <h2 className="code-snippet__title" id={titleId} {...FOCUS_TARGET}>
        {title}
      </h2>
      {/* Focusable so keyboard users can scroll long JSON (WCAG 2.1.1). */}
      <pre className="code-snippet__body" tabIndex={0} aria-labelledby={titleId}>
        <code>{code}</code>
      </pre>
    </section>
  );
}
