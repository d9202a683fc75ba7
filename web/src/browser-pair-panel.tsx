import { useEffect, useState } from 'react';
import { QRCodeSVG } from 'qrcode.react';
import { api } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';

interface PairTicket { url: string | null; urls?: string[]; lan: boolean; expires_at: string; tls_fingerprint: string | null }

/**
 * "Add a phone or browser": a pairing address made by the daemon (single use, five minutes),
 * drawn as a QR code to scan with the phone's camera, with the certificate's fingerprint the
 * phone's browser should show. The address is on the home network when the daemon serves it
 * there (`vss daemon start --lan`); else the panel says so. A machine with several home addresses
 * (Wi-Fi and a cable, a VPN) offers each, and its `.local` name: the user picks the one the
 * phone's network reaches, the daemon's best guess first.
 */
export function BrowserPairPanel({ onPaired }: { onPaired: () => void }) {
  const [pair, setPair] = useState<PairTicket | null>(null);
  const [busy, setBusy] = useState(false);
  const [chosen, setChosen] = useState(0);
  const expired = useExpiry(pair?.expires_at);

  const make = async () => {
    setBusy(true);
    try {
      setPair(await api<PairTicket>('POST', API.uiPair(), {}));
      setChosen(0);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label="Add a phone or browser">
      <h2>Add a phone or browser</h2>
      {pair && pair.url && !expired ? (() => {
        const urls = pair.urls?.length ? pair.urls : [pair.url];
        const url = urls[chosen] ?? pair.url;
        return (
        <>
          <p>Scan this with the phone's camera (on the same network), or open the address in its browser. It works once, until {new Date(pair.expires_at).toLocaleTimeString()}.</p>
          <div className="invite-qr" data-testid="pair-qr"><QRCodeSVG value={url} size={208} marginSize={2} title="Pairing address" /></div>
          <input className="mono invite-text pair-url" readOnly value={url} aria-label="Pairing address" data-testid="pair-url" onFocus={(e) => e.currentTarget.select()} />
          {urls.length > 1 && (
            <label className="small">The phone reaches this machine at{' '}
              <select value={chosen} onChange={(e) => setChosen(Number(e.currentTarget.value))} data-testid="pair-address">
                {urls.map((u, i) => <option key={u} value={i}>{new URL(u).hostname}</option>)}
              </select>
            </label>
          )}
          {pair.tls_fingerprint && <p className="muted small">The phone's browser will warn about this device's certificate: accept it if its SHA-256 fingerprint is <code className="mono fingerprint">{pair.tls_fingerprint}</code>.</p>}
          {!pair.lan && <p className="muted small">This device serves the web app on this machine only, so a phone cannot open the address: run <code>vss daemon stop && vss daemon start --lan</code>, then add it again.</p>}
          <div className="actions"><button type="button" onClick={() => { setPair(null); onPaired(); }}>Done</button></div>
        </>
        );
      })() : (
        <>
          <p className="muted">A phone (or another computer's browser) pairs with this device by scanning a code: it can then browse and search the whole library.</p>
          {expired && <p className="muted small" role="status">That address has expired: make another.</p>}
          <div className="actions">
            <button type="button" className="primary" onClick={() => void make()} disabled={busy}>{busy ? 'Making…' : 'Show a pairing code'}</button>
          </div>
        </>
      )}
    </section>
  );
}

/** Whether the time AT has passed, rechecked every few seconds while it has not. */
function useExpiry(at: string | undefined): boolean {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!at) return;
    const id = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(id);
  }, [at]);
  return at !== undefined && Date.parse(at) <= now;
}
