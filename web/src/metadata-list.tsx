import { bytes, clock, dateTime } from './format.js';
import type { ContentDetail } from './types.js';

/** What the file is: its kind, size, dates, size in pixels, where its copies are, and the media metadata read from it. */
export function MetadataList({ detail }: { detail: ContentDetail }) {
  const rows: Array<[string, string]> = [
    ['Kind', detail.kind],
    ['Type', detail.mime ?? '—'],
    ['Size', bytes(detail.size)],
    ['Taken', dateTime(detail.captured_at)],
  ];
  if (detail.width && detail.height) rows.push(['Dimensions', `${detail.width} × ${detail.height}`]);
  if (detail.duration_s !== null && detail.duration_s !== undefined) rows.push(['Duration', clock(detail.duration_s)]);
  for (const [key, value] of Object.entries(detail.metadata ?? {})) {
    if (value === null || value === undefined || value === '') continue;
    rows.push([label(key), typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  return (
    <section aria-label="Details" className="card">
      <h2>Details</h2>
      <dl className="meta">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>{detail.paths.length === 1 ? 'File' : 'Files'}</dt>
          <dd>
            {detail.paths.length === 0 ? 'No copy on this device' : (
              <ul className="paths">
                {detail.paths.map((p) => <li key={`${p.location_id}:${p.path}`}><span className="tag">{p.location_name}</span> <span className="path">{p.path}</span></li>)}
              </ul>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** "camera_model" → "Camera model". */
function label(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
