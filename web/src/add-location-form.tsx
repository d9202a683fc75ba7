import { useId, useState, type FormEvent } from 'react';
import { placeKind } from '../../src/core/address.js';
import { streamed } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { IndexProgressBar, scanSummary } from './index-progress.js';
import type { IndexProgress, IndexResult } from './types.js';

const MODES = [
  { value: 'deep', label: 'Deep: thumbnails, text and previews' },
  { value: 'content', label: 'Content: identify files' },
  { value: 'shallow', label: 'Shallow: names and sizes only' },
] as const;

/**
 * "Add location": a folder's path (on the daemon's machine) or a bucket's `s3://BUCKET/PREFIX`
 * (then its service's endpoint and addressing, the daemon's credentials), an optional name and
 * the index mode; the first scan's progress as it streams.
 */
export function AddLocationForm({ libId, onAdded }: { libId: string; onAdded: () => void }) {
  const id = useId();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [mode, setMode] = useState<string>('deep');
  const [endpoint, setEndpoint] = useState('');
  const [pathStyle, setPathStyle] = useState(true);
  // What is typed, told apart by the address module (the location's kind is recorded when it is added).
  const bucket = placeKind(path.trim()) === 'bucket';
  const [progress, setProgress] = useState<IndexProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() === '' || busy) return;
    setBusy(true);
    setResult(null);
    try {
      const named = { mode, ...(name.trim() ? { name: name.trim() } : {}) };
      const body = bucket
        ? { url: path.trim(), ...named, ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}), path_style: pathStyle }
        : { path: path.trim(), ...named };
      const r = await streamed<IndexResult>(bucket ? API.locationsBucket(libId) : API.locations(libId), body, (event, payload) => {
        if (event === 'index:progress') setProgress(payload as IndexProgress);
      });
      setResult(`Added: ${scanSummary(r)}`);
      setPath('');
      setName('');
      onAdded();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  return (
    <form className="card add-location" aria-label="Add location" onSubmit={(e) => void submit(e)}>
      <h2>Add location</h2>
      <div className="fields">
        <div className="field grow">
          <label htmlFor={`${id}-path`}>Path</label>
          <input id={`${id}-path`} type="text" required value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/Pictures or s3://bucket/prefix" autoComplete="off" spellCheck={false} />
        </div>
        {bucket && (
          <>
            <div className="field grow">
              <label htmlFor={`${id}-endpoint`}>Endpoint <span className="muted">(not AWS: B2, R2, Garage, MinIO…)</span></label>
              <input id={`${id}-endpoint`} type="url" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="https://s3.example.com" autoComplete="off" spellCheck={false} />
            </div>
            <div className="field">
              <label><input type="checkbox" checked={pathStyle} onChange={(e) => setPathStyle(e.target.checked)} /> Bucket in the path</label>
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor={`${id}-name`}>Name <span className="muted">(optional)</span></label>
          <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-mode`}>Index mode</label>
          <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value)}>
            {MODES.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
          </select>
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Adding…' : 'Add location'}</button>
      </div>
      {progress && <IndexProgressBar progress={progress} label="Scan of the new location" />}
      {result && <p className="ok" role="status">{result}</p>}
    </form>
  );
}
