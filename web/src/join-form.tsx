import { useId, useState, type FormEvent } from 'react';
import { api } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { looksLikeInvite } from '../../src/sync/pairing/invite-prefix.js';
import type { PairedInfo } from './types.js';

/** "Join": the 12 words shown on the other device (found on the network, or at the peer address given), or its invite (from anywhere). */
export function JoinForm({ onJoined }: { onJoined: () => void }) {
  const id = useId();
  const [code, setCode] = useState('');
  const [peer, setPeer] = useState('');
  const [busy, setBusy] = useState(false);
  const [joined, setJoined] = useState<PairedInfo | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // An invite (pasted whole) or the 12 words.
    const invite = looksLikeInvite(code) ? code.trim() : undefined;
    const words = invite ? [] : code.trim().toLowerCase().split(/[\s,]+/).filter((w) => w !== '');
    if ((words.length === 0 && !invite) || busy) return;
    setBusy(true);
    setJoined(null);
    try {
      const device = await api<PairedInfo>('POST', API.pairingJoin(), { words, ...(invite ? { invite } : {}), ...(peer.trim() ? { peer: peer.trim() } : {}) });
      setJoined(device);
      setCode('');
      onJoined();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" aria-label="Join" onSubmit={(e) => void submit(e)}>
      <h2>Join another device</h2>
      <div className="field">
        <label htmlFor={`${id}-code`}>Code or invite</label>
        <input id={`${id}-code`} type="text" required value={code} onChange={(e) => setCode(e.target.value)} placeholder="the 12 words the other device shows, or its invite (vss-invite:…)" autoComplete="off" spellCheck={false} autoCapitalize="none" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-peer`}>Peer address <span className="muted">(optional, when it is not found on the network)</span></label>
        <input id={`${id}-peer`} type="text" value={peer} onChange={(e) => setPeer(e.target.value)} placeholder="/ip4/192.168.1.20/tcp/4001/p2p/…" autoComplete="off" spellCheck={false} />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Joining…' : 'Join'}</button>
      </div>
      {joined && <p className="ok" role="status">Paired with {joined.name}.</p>}
    </form>
  );
}
