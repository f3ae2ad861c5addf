import { ErrorAlert } from '../../components/error-alert.tsx';
import { checkSummary, type CheckState } from './form-state.ts';

export const CHECK_SUMMARY_ID = 'check-results-summary';

/** What Check connection found: a summary, then one line per check with its badge. */
export function CheckResults({ state }: { state: CheckState }) {
  if (state.status === 'idle' || state.status === 'checking') return null;
  if (state.status === 'failed')
    return (
      <div id="check-failed" tabIndex={-1}>
        <ErrorAlert title="Could not check" message={state.error.message} />
      </div>
    );
  return (
    <div className="check-results">
      <p className="check-results__summary" role="status" id={CHECK_SUMMARY_ID} tabIndex={-1}>
        {checkSummary(state.checks, state.ms)}
      </p>
      <ul className="check-results__list" aria-label="Connection checks">
        {state.checks.map((line) => {
          const outcome = line.passed ? 'passed' : line.skipped ? 'skipped' : 'failed';
          return (
            <li key={line.name} className={`check-results__line check-results__line--${outcome}`}>
              <span
                className={`badge ${line.passed ? 'badge--ok' : line.skipped ? 'badge--skipped' : 'badge--failed'}`}
              >
                {line.passed ? 'Passed' : line.skipped ? 'Skipped' : 'Failed'}
              </span>
              <span className="check-results__name">{line.name}</span>
              <span className="check-results__detail">
                {line.detail}
                {line.code ? <small className="check-results__code">{line.code}</small> : null}
                {line.route ? (
                  <small className="check-results__route">Route: {line.route}</small>
                ) : null}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
