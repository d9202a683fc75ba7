import { useRef, useSyncExternalStore } from 'react';
import { bytes } from './format.js';
import { mayCall } from './may.js';
import { UPLOAD_ACCEPT } from './upload-accept.js';
import { useMe } from './me-context.js';
import { uploads, type UploadItem } from './upload-queue.js';

/**
 * "Upload" in the header (issue 44; on a phone's first screen, issue 58): for this machine's user,
 * and a paired browser allowed to upload. The picked files go through the page's upload queue (upload-queue.ts), its progress
 * shown in a sheet that stays while the user browses.
 */
export function UploadButton({ label = 'Upload', allowed }: { label?: string; allowed?: boolean } = {}) {
  const me = useMe();
  const input = useRef<HTMLInputElement>(null);
  // ALLOWED: said by the page (a shared album's guest, whose share takes photos: issue 61); else this session's rights.
  if (!(allowed ?? mayCall(me, 'uploadsCheck'))) return null;
  return (
    <>
      <button type="button" className="upload-button" onClick={() => input.current?.click()}>{label}</button>
      <input
        ref={input} type="file" multiple accept={UPLOAD_ACCEPT} hidden
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length > 0) uploads.add(files);
        }}
      />
    </>
  );
}

const STATE: Record<UploadItem['state'], string> = {
  waiting: 'waiting', queued: 'waiting to send', hashing: 'reading', checking: 'asking the library', have: 'already in your library', sending: 'sending',
  landing: 'checking on arrival', done: 'uploaded', failed: 'failed',
};

/** The uploads of this page, each with its progress, and the total. */
export function UploadSheet() {
  useSyncExternalStore(uploads.subscribe, uploads.getVersion);
  if (uploads.items.length === 0) return null;
  const t = uploads.totals;
  const pct = t.bytes > 0 ? Math.floor((t.sent / t.bytes) * 100) : 100;
  return (
    <section className="upload-sheet" aria-label="Uploads">
      <header className="upload-head">
        <strong>{uploads.busy ? `Uploading ${t.finished} of ${t.files}` : `Uploads: ${t.files - t.have - t.failed} sent, ${t.have} already in your library${t.failed ? `, ${t.failed} failed` : ''}`}</strong>
        <progress max={100} value={pct} aria-label="All uploads">{pct}%</progress>
        <span className="muted small">{bytes(t.sent)} of {bytes(t.bytes)}</span>
        {t.failed > 0 && !uploads.busy && <button type="button" onClick={() => uploads.retry()}>Retry</button>}
        {!uploads.busy && <button type="button" onClick={() => uploads.clearFinished()}>Close</button>}
      </header>
      <ul className="upload-list">
        {uploads.items.map((it) => (
          <li key={it.key} className={`upload-item upload-${it.state}`} data-state={it.state}>
            <span className="upload-name">{it.file.name}</span>
            <span className="upload-state small">
              {STATE[it.state]}
              {(it.state === 'hashing' || it.state === 'sending') && it.file.size > 0 ? ` ${Math.floor((it.done / it.file.size) * 100)}%` : ''}
              {it.note && it.state !== 'have' ? `: ${it.note}` : ''}
            </span>
            {(it.state === 'hashing' || it.state === 'sending') && <progress max={it.file.size || 1} value={it.done} aria-label={`${it.file.name} progress`} />}
          </li>
        ))}
      </ul>
    </section>
  );
}
