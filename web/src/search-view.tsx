import { useEffect, useState } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { SearchResultItem } from './search-result-item.js';
import type { SearchResult } from './types.js';

const LIMIT = 50;

interface Answer {
  q: string;
  results: SearchResult[];
}

/** `#/search?q=…`: the results of the query in the search box, the newest query's only. */
export function SearchView({ q }: { q: string }) {
  const lib = useLibrary();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (q === '') {
      setAnswer(null);
      setBusy(false);
      return;
    }
    const abort = new AbortController();
    setBusy(true);
    get<{ results: SearchResult[] }>(API.search(lib.id, q, LIMIT), abort.signal).then(
      (r) => { setAnswer({ q, results: r.results }); setBusy(false); },
      (err: unknown) => { if (!abort.signal.aborted) { reportError(err); setBusy(false); } },
    );
    return () => abort.abort();
  }, [lib.id, q]);

  return (
    <Page label="Search" className="search-page">
      <h1>{q === '' ? 'Search' : <>Results for <q>{q}</q></>}</h1>
      <p className="muted" aria-live="polite">
        {q === '' ? 'Type in the search box: file names, text in images and PDFs, and speech in recordings are searched.'
          : busy && !answer ? 'Searching…'
          : answer ? (answer.results.length === 0 ? 'Nothing found.' : `${answer.results.length}${answer.results.length === LIMIT ? '+' : ''} found`) : ''}
      </p>
      {answer && answer.results.length > 0 && (
        <ul className="results" aria-label="Search results" aria-busy={busy}>
          {answer.results.map((r) => <SearchResultItem key={`${r.content_uuid}`} result={r} q={answer.q} libId={lib.id} />)}
        </ul>
      )}
    </Page>
  );
}
