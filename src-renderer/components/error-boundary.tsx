import { Component } from 'react';
import type { ErrorInfo, ReactNode } from 'react';
import { Callout } from './callout.tsx';

interface State {
  failed: boolean;
}

/** A page that throws shows a sentence and a way out, never a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('A page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="content-layout">
        <h1 className="content__title">Something went wrong</h1>
        <Callout kind="error" role="alert">
          <p className="callout__message">
            This page could not be shown. Your session is not affected.
          </p>
        </Callout>
        <p>
          <a className="button button--primary" href="#/">
            Back to the home page
          </a>
        </p>
      </div>
    );
  }
}
