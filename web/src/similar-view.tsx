import { useState } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { baseName, bytes, counted } from './format.js';
import { useLibrary } from './library-context.js';
import { useMay } from './may.js';
import { Page } from './page.js';
import type { SimilarContent, SimilarGroup, SimilarKeepResult } from './types.js';
import { useLoad } from './use-load.js';

/**
 * `#/similar` (issue 45): groups of photos whose pictures match though their bytes differ, each
 * photo side by side with its size, dimensions, format and bits per pixel, the one to keep
 * marked. Keeping one merges the others' tags, albums and rating onto it and moves their files to
 * the trash (restorable there for 30 days).
 */
export function SimilarView() {
  const lib = useLibrary();
  const may = useMay();
  const [groups, reload] = useLoad((signal) => get<SimilarGroup[]>(API.similar(lib.id), signal), [lib.id]);
  const [said, setSaid] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const keep = async (g: SimilarGroup, c: SimilarContent) => {
    setBusy(g.group_id);
    try {
      const r = await api<SimilarKeepResult>('POST', API.similarKeep(lib.id), { keep: c.content_uuid, others: g.contents.filter((x) => x !== c).map((x) => x.content_uuid) });
      const merged = r.merged.tags.length > 0 ? ` Tags merged onto it: ${r.merged.tags.join(', ')}.` : '';
      setSaid(`Kept ${baseName(c.paths[0] ?? c.content_uuid)}; ${counted(r.files, 'file')} of the others moved to the trash.${merged}`);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(null);
      reload();
    }
  };
  const list = groups.state === 'ready' ? groups.value : [];
  return (
    <Page label="Similar">
      <h1>Similar photos</h1>
      <p className="muted">Photos whose pictures match though their files differ (re-saved, resized, exported again). Keep one: the others' tags, albums and ratings move onto it, and their files go to the <a href="#/trash">trash</a>.</p>
      {groups.state === 'loading' && <p className="muted" aria-busy="true">Looking…</p>}
      {groups.state === 'error' && <p>{groups.message}</p>}
      {said && <p role="status">{said}</p>}
      {groups.state === 'ready' && list.length === 0 && <p className="muted">No near-duplicates found.</p>}
      {list.map((g) => (
        <section key={g.group_id} className="similar-group" aria-label={`Group of ${g.contents.length}`}>
          <ul className="similar-members">
            {g.contents.map((c) => (
              <li key={c.content_uuid} className={c.content_uuid === g.keep ? 'suggested' : undefined}>
                <a href={`#/content/${c.content_uuid}`}>
                  <img src={API.sidecar(lib.id, c.content_uuid, 'thumb', 'grid@1x', null)} alt={baseName(c.paths[0] ?? c.content_uuid)} loading="lazy" width={160} />
                </a>
                <div className="small">
                  <strong>{baseName(c.paths[0] ?? c.content_uuid)}</strong>{c.content_uuid === g.keep && <span className="similar-suggested"> · suggested to keep</span>}
                  <br />{c.format} · {c.width && c.height ? `${c.width}×${c.height}` : '?'} · {bytes(c.size)}{c.bits_per_pixel !== null ? ` · ${c.bits_per_pixel} bits/px` : ''}
                  <br /><span className="muted">{c.paths[0] ?? ''}</span>
                </div>
                {may('similarKeep') && <button type="button" disabled={busy !== null} onClick={() => void keep(g, c)} aria-label={`Keep ${baseName(c.paths[0] ?? c.content_uuid)}`}>
                  {busy === g.group_id ? 'Keeping…' : 'Keep this one'}
                </button>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Page>
  );
}
