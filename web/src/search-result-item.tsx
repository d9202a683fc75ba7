import { API } from './api-paths.js';
import { baseName } from './format.js';
import { Snippet } from './marked-text.js';
import { href } from './routes.js';
import type { SearchResult } from './types.js';

const SOURCE_LABEL: Readonly<Record<SearchResult['source'], string>> = {
  name: 'name', ocr: 'text in image', 'pdf-text': 'PDF text', transcript: 'speech', place: 'place', semantic: 'meaning', filters: 'matches the filters',
};

function pageOf(r: SearchResult): number | null {
  if (r.source !== 'ocr' && r.source !== 'pdf-text') return null;
  return r.locator?.page ?? null;
}

/** One result: the file's thumbnail and name (a link to its detail, carrying the query so the detail marks it), where it matched, and the snippet. */
export function SearchResultItem({ result, q, libId }: { result: SearchResult; q: string; libId: string }) {
  if ('object_uuid' in result) return <ObjectResultItem result={result} />;
  // A content held only by paired devices is where they hold it (DESIGN §15): `DEVICE:/location/path`.
  const address = result.addresses?.[0] ?? '';
  const path = result.paths[0] ?? address;
  const device = result.paths.length === 0 && address !== '' ? address.slice(0, address.indexOf(':/')) : null;
  const name = path === '' ? result.content_uuid : baseName(path);
  const page = pageOf(result);
  const to = href({ view: 'content', uuid: result.content_uuid, q });
  return (
    <li className="result">
      <a className="result-thumb" href={to} tabIndex={-1} aria-hidden="true">
        <img alt="" src={API.sidecar(libId, result.content_uuid, 'thumb', 'grid@1x')} loading="lazy" width={64} height={64} onError={(e) => { e.currentTarget.style.visibility = 'hidden'; }} />
      </a>
      <div className="result-body">
        <a className="result-name" href={to}>{name}</a>
        <p className="result-where">
          <span className="tag">{result.kind}</span>
          <span className="tag">{SOURCE_LABEL[result.source]}{page !== null ? `, page ${page}` : ''}</span>
          {device !== null && <span className="tag">on {device}</span>}
          {path !== '' && <span className="result-path" title={path}>{path}</span>}
        </p>
        <p className="snippet"><Snippet text={result.snippet} marks={result.marks} /></p>
      </div>
    </li>
  );
}

/** A folder, or a file outside every location, found by its tags or metadata (issue 59): where it is, on which device. */
function ObjectResultItem({ result }: { result: Extract<SearchResult, { object_uuid: string }> }) {
  const folder = result.kind === 'folder';
  return (
    <li className="result result-object">
      <span className="result-thumb result-icon" aria-hidden="true">{folder ? '📁' : '📄'}</span>
      <div className="result-body">
        <span className="result-name">{baseName(result.path)}{folder ? '/' : ''}</span>
        <p className="result-where">
          <span className="tag">{folder ? 'folder' : result.kind}</span>
          <span className="tag">{SOURCE_LABEL[result.source]}</span>
          <span className="tag">on {result.device}</span>
          <span className="result-path" title={result.path}>{result.path}</span>
        </p>
      </div>
    </li>
  );
}
