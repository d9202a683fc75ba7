import { Highlighted } from './marked-text.js';
import type { OcrJsonPage } from './types.js';

/** The text read from the file, page by page, the query's words marked. */
export function OcrText({ pages, terms }: { pages: readonly OcrJsonPage[]; terms: readonly string[] }) {
  const withText = pages.filter((p) => p.text.trim() !== '');
  return (
    <section aria-label="Text" className="card">
      <h2>Text</h2>
      {withText.length === 0 ? <p className="muted">No text was found in this file.</p> : withText.map((p) => (
        <div key={p.page} className="ocr-page">
          {pages.length > 1 && <h3>Page {p.page}</h3>}
          <p className="ocr-text"><Highlighted text={p.text} terms={terms} /></p>
        </div>
      ))}
    </section>
  );
}
