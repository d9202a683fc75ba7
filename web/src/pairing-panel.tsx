import { useEffect, useRef, useState } from 'react';
import { QRCodeSVG } from 'qrcode.react';
import { isAbort, streamed } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import type { PairedInfo, PairingCodeInfo } from './types.js';

type State =
  | { step: 'idle' }
  | { step: 'starting' }
  | { step: 'waiting'; code: PairingCodeInfo }
  | { step: 'paired'; device: PairedInfo };

/**
 * "Start pairing": the daemon makes a code and streams it at once, then waits for the other
 * device to join with it; the code shows here (12 words) until then. Cancel, or leaving the page,
 * ends the request, which withdraws the code.
 */
export function PairingPanel({ onPaired }: { onPaired: () => void }) {
  const [state, setState] = useState<State>({ step: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    const ctl = new AbortController();
    abort.current = ctl;
    setState({ step: 'starting' });
    try {
      const device = await streamed<PairedInfo>(API.pairingStart(), {}, (event, payload) => {
        if (event === 'pairing:code') setState({ step: 'waiting', code: payload as PairingCodeInfo });
      }, ctl.signal);
      setState({ step: 'paired', device });
      onPaired();
    } catch (err) {
      if (!isAbort(err)) reportError(err);
      setState({ step: 'idle' });
    } finally {
      if (abort.current === ctl) abort.current = null;
    }
  };

  return (
    <section className="card" aria-label="Pair a new device">
      <h2>Pair a new device</h2>
      {state.step === 'waiting' ? (
        <>
          <p>On the other device, choose <strong>Join</strong> and enter these 12 words:</p>
          <p className="pairing-code" data-testid="pairing-code" aria-live="polite">
            {state.code.code.split(/\s+/).map((w, i) => <span key={i}>{i > 0 ? ' ' : ''}<span className="word">{w}</span></span>)}
          </p>
          <details className="pairing-invite">
            <summary>From another network? Use the invite</summary>
            <p className="muted small">It carries the code and where this device can be reached (through your relay). Scan it, or paste it into <strong>Join</strong> on the other device, or run <code>vss pair join</code> with it there.</p>
            <div className="invite-qr" aria-hidden="true"><QRCodeSVG value={state.code.invite} size={192} marginSize={2} /></div>
            <textarea className="mono invite-text" readOnly rows={3} value={state.code.invite} aria-label="Invite" data-testid="pairing-invite" onFocus={(e) => e.currentTarget.select()} />
          </details>
          <p className="muted small" aria-live="polite">Waiting for the other device… The code works until {new Date(state.code.expires_at).toLocaleTimeString()}.</p>
          <div className="actions"><button type="button" onClick={() => abort.current?.abort()}>Cancel</button></div>
        </>
      ) : (
        <>
          <p className="muted">Show a code here, and type it on the device you want to pair with this one.</p>
          {state.step === 'paired' && <p className="ok" role="status">Paired with {state.device.name}.</p>}
          <div className="actions">
            <button type="button" className="primary" onClick={() => void start()} disabled={state.step === 'starting'}>
              {state.step === 'starting' ? 'Starting…' : 'Start pairing'}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
