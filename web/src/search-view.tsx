import { useEffect, useState } from 'react';
import { ApiError, get } from './api.js';
import { API } from './api-paths.js';
import { count } from './format.js';
import { reportError } from './errors.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { SearchResultItem } from './search-result-item.js';
import type { SearchAnswer } from './types.js';

const LIMIT = 50;

/** The answer to the query Q (`pending`: files whose text is not searchable yet, still being read; the results may miss them). */
interface Answer extends SearchAnswer {
  q: string;
}

/** `#/search?q=…`: the results of the query in the search box, the newest query's only. */
export function SearchView({ q }: { q: string }) {
  const lib = useLibrary();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  /** Why this query cannot be searched (half typed: a lone quote, a lone `*`): said in place, not as an error. */
  const [unfinished, setUnfinished] = useState<string | null>(null);

  useEffect(() => {
    setUnfinished(null);
    if (q === '') {
      setAnswer(null);
      setBusy(false);
      return;
    }
    const abort = new AbortController();
    setBusy(true);
    get<SearchAnswer>(API.search(lib.id, q, LIMIT), abort.signal).then(
      (r) => { setAnswer({ q, ...r }); setBusy(false); },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        // Another query's results never stand under this one's heading.
        setAnswer(null);
        setBusy(false);
        if (err instanceof ApiError && err.status === 400) setUnfinished(err.message);
        else reportError(err);
      },
    );
    return () => abort.abort();
  }, [lib.id, q]);

  return (
    <Page label="Search" title={q === '' ? 'Search' : `Search: ${q}`} className="search-page">
      <h1>{q === '' ? 'Search' : <>Results for <q>{q}</q></>}</h1>
      <p className="muted" aria-live="polite">
        {q === '' ? 'Type in the search box: file names, text in images and PDFs, and speech in recordings are searched.'
          : unfinished !== null ? `Keep typing: ${unfinished}`
          : busy && !answer ? 'Searching…'
          : answer ? (answer.results.length === 0 ? 'Nothing found.' : `${answer.results.length}${answer.results.length === LIMIT ? '+' : ''} found`) : ''}
        {answer && answer.pending > 0 && ` Still indexing ${count(answer.pending)} ${answer.pending === 1 ? 'file' : 'files'}: more may be found once they are read.`}
      </p>
      {answer && answer.results.length > 0 && (
        <ul className="results" aria-label="Search results" aria-busy={busy}>
          {answer.results.map((r) => <SearchResultItem key={'object_uuid' in r ? r.object_uuid : `${r.content_uuid}`} result={r} q={answer.q} libId={lib.id} />)}
        </ul>
      )}
    </Page>
  );
}
