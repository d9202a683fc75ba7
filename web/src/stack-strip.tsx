import { act } from './act.js';
import { API } from './api-paths.js';
import type { DetailStack } from './types.js';

/**
 * A content's stack on its page (issue 45): every photo in it (a RAW and its JPEG, a burst's
 * frames) as a small picture linking to its own page, the one shown for the stack marked; "Show
 * this one for the stack" makes the page's photo the stack's cover, on every device. MAYCHANGE:
 * the browser may organise the library.
 */
export function StackStrip({ libId, uuid, stack, mayChange, changed }: { libId: string; uuid: string; stack: DetailStack; mayChange: boolean; changed: () => void }) {
  const what = stack.kind === 'burst' ? `A burst of ${stack.members.length}` : `RAW and JPEG: ${stack.members.length} files of one shot`;
  return (
    <section className="stack-panel" aria-label="Stack">
      <h2>Stack</h2>
      <p className="muted">{what}; the grid shows them as one item{stack.cover === uuid ? ', this one' : ''}.</p>
      <div className="stack-strip">
        {stack.member_items.map((m) => (
          <a key={m.content_uuid} href={`#/content/${m.content_uuid}`} aria-current={m.content_uuid === uuid ? 'true' : undefined}
            title={`${m.name ?? m.content_uuid}${m.content_uuid === stack.cover ? ' (shown for the stack)' : ''}`}>
            <img alt={m.name ?? m.content_uuid} src={API.sidecar(libId, m.content_uuid, 'thumb', 'grid@1x', m.thumb)} loading="lazy" />
            <span className="stack-name">{m.content_uuid === stack.cover ? '★ ' : ''}{m.name ?? m.content_uuid.slice(0, 8)}</span>
          </a>
        ))}
      </div>
      {mayChange && stack.cover !== uuid && (
        <button type="button" onClick={() => void act('stackSetCover', API.stackSetCover(libId), { stack_id: stack.stack_id, content: uuid }, changed)}>Show this one for the stack</button>
      )}
      {mayChange && (
        <button type="button" className="quiet" onClick={() => void act('stackUnstack', API.stackUnstack(libId), { stack_id: stack.stack_id }, changed)}>Unstack</button>
      )}
    </section>
  );
}
