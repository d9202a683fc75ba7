import { useState, type ReactNode } from 'react';

/**
 * An action asked once more before it is done (a location removed, a device unpaired): what it
 * does in CHILDREN, the action and Cancel. While RUN runs both are off and the action says BUSY;
 * CLOSE is called when it has ended, or on Cancel.
 */
export function ConfirmBox({ label, action, busy, run, close, children }: {
  label: string; action: string; busy: string; run: () => Promise<void>; close: () => void; children: ReactNode;
}) {
  const [running, setRunning] = useState(false);
  return (
    <div className="confirm" role="alertdialog" aria-label={label}>
      <p>{children}</p>
      <div className="actions">
        <button type="button" className="primary danger" autoFocus disabled={running} onClick={() => {
          setRunning(true);
          void run().finally(() => { setRunning(false); close(); });
        }}>{running ? busy : action}</button>
        <button type="button" onClick={close} disabled={running}>Cancel</button>
      </div>
    </div>
  );
}
