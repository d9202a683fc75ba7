import { useSyncExternalStore } from 'react';
import { currentErrors, dismissError, subscribeErrors } from './errors.js';

/** The errors of every view, said by screen readers as they come (the region is always in the page). */
export function ErrorRegion() {
  const errors = useSyncExternalStore(subscribeErrors, currentErrors);
  return (
    <div className="errors" aria-live="assertive" aria-relevant="additions text">
      {errors.map((e) => (
        <p key={e.id} className="error">
          <span>{e.message}</span>
          <button type="button" className="quiet" aria-label="Dismiss" onClick={() => dismissError(e.id)}>×</button>
        </p>
      ))}
    </div>
  );
}
