import { useEffect } from 'react';
import { KIND_CHOICES } from './grid-kinds.js';
import { href } from './routes.js';
import { starsLabel, STARS } from './user-meta-controls.js';
import { treeOrder, useTags } from './tags-data.js';
import type { GridFilter } from './types.js';

/** The filter control to give the focus to in the grid a choice opened. */
let refocus: string | null = null;

/**
 * What narrows the grid besides the device (DESIGN §16): a tag (the tree, indented; the tag and
 * those beneath it), favourites only, the contents short of their Guardian policy only, a least
 * rating, and hidden contents shown too. Each choice
 * is an address (`#/?tag=…&fav=1…`), so Back returns to the one before.
 */
export function GridFilters({ libId, device, filter }: { libId: string; device: string | null; filter: GridFilter }) {
  const [tags] = useTags(libId);
  // A choice shows another grid (a view of its own): the control used keeps the focus there.
  useEffect(() => {
    const name = refocus;
    refocus = null;
    if (name === null) return;
    const t = setTimeout(() => document.querySelector<HTMLElement>(`.grid-filters [aria-label="${name}"]`)?.focus(), 0);
    return () => clearTimeout(t);
  }, []);
  const go = (change: Partial<GridFilter>, control: string) => {
    refocus = control;
    const next: GridFilter = { ...filter, ...change };
    for (const k of Object.keys(next) as Array<keyof GridFilter>) if (next[k] === undefined || next[k] === false || next[k] === '' || next[k] === 0) delete next[k];
    window.location.hash = href({ view: 'library', ...(device !== null ? { device } : {}), filter: next });
  };
  const list = tags.state === 'ready' ? treeOrder(tags.value) : [];
  const known = list.some((t) => t.tag.uuid === filter.tag);
  return (
    <div className="grid-filters" role="group" aria-label="Filters">
      <div className="kind-choice" role="group" aria-label="Kinds shown">
        {KIND_CHOICES.map((c) => (
          <button key={c.label} type="button" aria-label={c.label} aria-pressed={filter.kinds === c.kinds} onClick={() => go({ kinds: c.kinds }, c.label)}>{c.label}</button>
        ))}
      </div>
      <label className="inline-field">
        <span className="muted">Tag</span>
        <select aria-label="Tag" value={filter.tag ?? ''} onChange={(e) => go({ tag: e.currentTarget.value }, 'Tag')}>
          <option value="">Any tag</option>
          {filter.tag && !known && <option value={filter.tag}>{tags.state === 'ready' ? 'A tag no longer there' : filter.tag}</option>}
          {list.map(({ tag, depth }) => (
            <option key={tag.uuid} value={tag.uuid}>{`${'\u00a0\u00a0'.repeat(depth)}${tag.name}${tag.same_name ? ' (twin)' : ''} (${tag.contents})`}</option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" aria-label="Favourites only" checked={filter.favorite === true} onChange={(e) => go({ favorite: e.currentTarget.checked }, 'Favourites only')} />
        Favourites only
      </label>
      {/* Short of the Guardian's policy (issue 58): the copy counts where a person looks for them, not on every tile. */}
      <label className="check">
        <input type="checkbox" aria-label="At risk only" checked={filter.risk === true} onChange={(e) => go({ risk: e.currentTarget.checked }, 'At risk only')} />
        At risk only
      </label>
      <label className="inline-field">
        <span className="muted">Rating</span>
        <select aria-label="Minimum rating" value={String(filter.rating ?? 0)} onChange={(e) => go({ rating: Number(e.currentTarget.value) }, 'Minimum rating')}>
          <option value="0">Any rating</option>
          {STARS.map((n) => <option key={n} value={String(n)}>{n === 5 ? starsLabel(5) : `${starsLabel(n)} or more`}</option>)}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" aria-label="Show hidden" checked={filter.hidden === true} onChange={(e) => go({ hidden: e.currentTarget.checked }, 'Show hidden')} />
        Show hidden
      </label>
    </div>
  );
}
