import { PlaceMiniMap } from './places-map.js';
import { bytes, capturedLabel, clock } from './format.js';
import type { CapturedZone, ContentDetail, ContentSafety } from './types.js';

/**
 * The media metadata fields worth a line, with their labels; a field shown elsewhere (size in
 * pixels, capture time, duration) or internal (the shape version) is not repeated. A field not
 * in the table is shown under its own name, so nothing new is hidden.
 */
const FIELDS: Readonly<Record<string, { label: string; show: (v: unknown) => string | null } | null>> = {
  v: null, captured_at: null, captured_ms: null, captured_zone: null, width: null, height: null, duration_s: null,
  orientation: { label: 'Orientation', show: (v) => (v === 1 ? null : ORIENTATIONS[Number(v)] ?? String(v)) },
  content_identifier: { label: 'Live Photo id', show: (v) => String(v) },
  media_group_uuid: { label: 'Media group', show: (v) => String(v) },
  motion_photo: { label: 'Motion photo', show: (v) => (v === true ? 'yes (a movie inside)' : null) },
  error: { label: 'Metadata', show: (v) => `could not be read: ${String(v)}` },
  r: null,
  place: { label: 'Place', show: (v) => parts(v, ['city', 'region', 'country']).join(', ') || null },
  gps: { label: 'Coordinates', show: showGps },
  camera: { label: 'Camera', show: (v) => parts(v, ['make', 'model', 'lens']).join(' · ') || null },
  exposure: { label: 'Exposure', show: showExposure },
};

/** The text fields KEYS of V (an object from the file), in order, a name the one before holds left out ("Geneva, Geneva"; "Canon", "Canon EOS 40D"). */
function parts(v: unknown, keys: readonly string[]): string[] {
  if (typeof v !== 'object' || v === null) return [];
  const out: string[] = [];
  for (const k of keys) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== 'string' || x === '') continue;
    const last = out.at(-1);
    if (last !== undefined && x.toLowerCase().startsWith(last.toLowerCase())) out[out.length - 1] = x;
    else if (last === undefined || !last.toLowerCase().includes(x.toLowerCase())) out.push(x);
  }
  return out;
}

function showGps(v: unknown): string | null {
  const g = v as { lat?: unknown; lon?: unknown; alt?: unknown };
  if (typeof g?.lat !== 'number' || typeof g.lon !== 'number') return null;
  const ns = `${Math.abs(g.lat).toFixed(5)}° ${g.lat >= 0 ? 'N' : 'S'}`;
  const ew = `${Math.abs(g.lon).toFixed(5)}° ${g.lon >= 0 ? 'E' : 'W'}`;
  return `${ns}, ${ew}${typeof g.alt === 'number' ? `, ${Math.round(g.alt)} m` : ''}`;
}

function showExposure(v: unknown): string | null {
  const e = v as { f?: unknown; time?: unknown; iso?: unknown; mm?: unknown };
  if (typeof e !== 'object' || e === null) return null;
  const out: string[] = [];
  if (typeof e.f === 'number') out.push(`f/${e.f}`);
  if (typeof e.time === 'string') out.push(`${e.time} s`);
  if (typeof e.iso === 'number') out.push(`ISO ${e.iso}`);
  if (typeof e.mm === 'number') out.push(`${e.mm} mm`);
  return out.length > 0 ? out.join(' · ') : null;
}

/** A path that may wrap after each slash (a long one would otherwise run out of its column). */
function WrappedPath({ path }: { path: string }) {
  const segments = path.split('/');
  return <span className="path">{segments.map((seg, i) => <span key={i}>{seg}{i < segments.length - 1 && <>/<wbr /></>}</span>)}</span>;
}

const ORIENTATIONS: Readonly<Record<number, string>> = {
  2: 'mirrored', 3: 'turned 180°', 4: 'mirrored, turned 180°', 5: 'mirrored, turned 90°', 6: 'turned 90° clockwise', 7: 'mirrored, turned 90° counter-clockwise', 8: 'turned 90° counter-clockwise',
};

const ZONES: Readonly<Record<CapturedZone, string>> = { explicit: '', inferred: ' (time zone inferred)', unknown: ' (camera clock, zone unknown)' };

/** What the file is: its kind, size, dates, size in pixels, where its copies are, and the media metadata read from it. */
export function MetadataList({ detail }: { detail: ContentDetail }) {
  const meta = detail.metadata;
  const zone = meta.captured_zone ? ZONES[meta.captured_zone] : '';
  const rows: Array<[string, string]> = [
    ['Kind', detail.kind],
    ['Type', detail.mime],
    ['Size', bytes(detail.size)],
    ['Taken', detail.captured_at ? `${capturedLabel(detail.captured_at)}${zone}` : '—'],
  ];
  if (detail.width && detail.height) rows.push(['Dimensions', `${detail.width} × ${detail.height}`]);
  if (detail.duration_s !== null) rows.push(['Duration', clock(detail.duration_s)]);
  for (const [key, value] of Object.entries(meta)) {
    if (value === null || value === undefined || value === '') continue;
    const field = FIELDS[key];
    if (field === null) continue;
    const shown = field ? field.show(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (shown !== null) rows.push([field?.label ?? label(key), shown]);
  }
  const gps = meta.gps;
  return (
    <section aria-label="Details" className="card">
      <h2>Details</h2>
      {gps && Number.isFinite(gps.lat) && Number.isFinite(gps.lon) && (
        <PlaceMiniMap lat={gps.lat} lon={gps.lon} label={parts(meta.place, ['city', 'country']).join(', ') || showGps(gps) || ''} />
      )}
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
                {detail.paths.map((p) => <li key={`${p.location_id}:${p.path}`}><span className="tag">{p.location_name}</span> <WrappedPath path={p.path} /></li>)}
              </ul>
            )}
          </dd>
        </div>
        {detail.safety && (
          <div>
            <dt>Safety</dt>
            {/* Warned of only against a policy the user chose (issue 58): before, the count is said plainly. */}
            <dd className={`safety${!detail.safety.policy_chosen || detail.safety.safe ? '' : detail.safety.has.copies === 1 ? ' once' : ' short'}`}>
              {safetyText(detail.safety)} <a href="#/guardian">Guardian</a>
            </dd>
          </div>
        )}
        {detail.copies.some((c) => !c.local) && (
          <div>
            <dt>On devices</dt>
            <dd>
              <ul className="paths copies" aria-label="Copies on every device">
                {detail.copies.map((c) => (
                  <li key={`${c.device_id}:${c.address}`}>
                    <span className="tag">{c.device}</span>{' '}
                    <span className={`device-state${c.online ? '' : ' offline'}`}>{c.local ? 'this device' : c.online ? 'online' : 'offline'}</span>{' '}
                    <WrappedPath path={c.address} />
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

/** "camera_model" → "Camera model". */
function label(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}


/** How many copies a content has against its policy, in words (against a policy the user chose; else the count alone, and where to choose one). */
function safetyText(s: ContentSafety): string {
  if (!s.policy_chosen) return `${s.has.copies === 1 ? 'One copy' : `${s.has.copies} copies`} in the library (no policy chosen yet: the Guardian suggests ${s.policy.copies}).`;
  const copies = s.has.copies === 1 ? 'Exists once: a lost drive loses it' : `${s.has.copies} copies`;
  if (s.safe) return `${copies} (its policy asks ${s.policy.copies}).`;
  const needs: string[] = [];
  if (s.short_by.copies > 0) needs.push(`${s.short_by.copies} more ${s.short_by.copies === 1 ? 'copy' : 'copies'}`);
  if (s.short_by.devices > 0) needs.push(`${s.short_by.devices} more ${s.short_by.devices === 1 ? 'device' : 'devices'}`);
  if (s.short_by.offsite > 0) needs.push(`${s.short_by.offsite} more off this device`);
  return `${copies}; its policy asks for ${needs.join(', ')}.`;
}
