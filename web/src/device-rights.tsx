import { useEffect, useState } from 'react';
import { api } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import type { DeviceRights } from './types.js';

type Right = DeviceRights['libraries'][number]['rights'][number];
const RIGHTS: ReadonlyArray<{ right: Right; label: string }> = [
  { right: 'admit', label: 'Admit: let other devices in, and set what members may do' },
  { right: 'remove', label: 'Remove members' },
  { right: 'relay', label: 'Be carried by the library\'s relays' },
];

/**
 * What a member device may do in each library it shares with this one (issue 46: `vss devices
 * rights`), and a change of it: saved as a grant this device signs, which every member takes in.
 * Refused (and said) unless this device may admit.
 */
export function DeviceRightsPanel({ id, name }: { id: string; name: string }) {
  const [now, setNow] = useState<DeviceRights | null>(null);
  const [wanted, setWanted] = useState<Record<string, Right[]>>({});
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    api<DeviceRights>('POST', API.deviceRights(id), {}, ac.signal).then((r) => {
      setNow(r);
      setWanted(Object.fromEntries(r.libraries.map((l) => [l.library_id, [...l.rights]])));
    }, (err: unknown) => { if (!ac.signal.aborted) reportError(err); });
    return () => ac.abort();
  }, [id]);
  if (!now) return <p className="muted" aria-busy="true">Loading what {name} may do…</p>;
  if (now.libraries.length === 0) return <p className="muted">{name} shares no library with this device.</p>;
  const save = async () => {
    setBusy(true);
    setSaid(null);
    try {
      // One grant for every library they share: the rights asked, the same for each.
      const first = now.libraries[0]!.library_id;
      const rights = wanted[first] ?? [];
      const r = await api<DeviceRights>('POST', API.deviceRights(id), { rights: rights.length > 0 ? rights : ['none'] });
      setNow(r);
      setSaid(`Saved: every member takes it in when it next hears from this device.`);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const first = now.libraries[0]!;
  const chosen = wanted[first.library_id] ?? [];
  const changed = [...chosen].sort().join() !== [...first.rights].sort().join();
  return (
    <fieldset className="device-rights" aria-label={`What ${name} may do`}>
      <legend>What {name} may do in {now.libraries.map((l) => l.library).join(', ')}</legend>
      {RIGHTS.map(({ right, label }) => (
        <label key={right}>
          <input type="checkbox" checked={chosen.includes(right)} disabled={busy}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setWanted((w) => ({ ...w, [first.library_id]: on ? [...chosen, right] : chosen.filter((x) => x !== right) }));
            }} />
          {' '}{label}
        </label>
      ))}
      <div className="actions">
        <button type="button" onClick={() => void save()} disabled={busy || !changed}>Save</button>
      </div>
      {said && <p role="status" className="muted small">{said}</p>}
    </fieldset>
  );
}
