import { useSyncExternalStore } from 'react';
import { metaOverride, setUserMeta, subscribeMeta, type UserFlags } from './meta-store.js';

export const STARS = [1, 2, 3, 4, 5] as const;

/** UUID's favourite, rating and hidden: as the user just set them, else as read (BASE). */
export function useUserFlags(uuid: string, base: UserFlags): UserFlags {
  const o = useSyncExternalStore(subscribeMeta, () => metaOverride(uuid));
  return o ?? base;
}

export const starsLabel = (n: number) => `${n} ${n === 1 ? 'star' : 'stars'}`;

/**
 * The favourite toggle and the star rating of a content (DESIGN §16): buttons with names, the
 * favourite pressed when it is one, each star pressed when it is the rating (pressing it again
 * clears the rating). TABBABLE: whether Tab reaches them (in the grid only the focused tile's do).
 * READONLY (a browser that may not organise): what is set, shown, and nothing to press.
 */
export function FavoriteAndRating({ libId, uuid, flags, tabbable = true, className, readOnly = false }: { libId: string; uuid: string; flags: UserFlags; tabbable?: boolean; className?: string; readOnly?: boolean }) {
  if (readOnly) return <MarksShown flags={flags} className={className} />;
  const tab = tabbable ? 0 : -1;
  const set = (change: Partial<UserFlags>) => { void setUserMeta(libId, uuid, flags, change); };
  return (
    <>
      <button
        type="button"
        className={`fav${flags.favorite ? ' set' : ''}${className ? ` ${className}` : ''}`}
        aria-pressed={flags.favorite}
        aria-label="Favourite"
        title={flags.favorite ? 'Favourite (press to unmark)' : 'Mark as a favourite'}
        tabIndex={tab}
        onClick={() => set({ favorite: !flags.favorite })}
      >
        <span aria-hidden="true">{flags.favorite ? '♥' : '♡'}</span>
      </button>
      <span role="group" aria-label={`Rating: ${flags.rating === 0 ? 'none' : starsLabel(flags.rating)}`} className={`stars${flags.rating > 0 ? ' set' : ''}`}>
        {STARS.map((n) => (
          <button
            key={n}
            type="button"
            className={`star${n <= flags.rating ? ' on' : ''}`}
            aria-pressed={flags.rating === n}
            aria-label={starsLabel(n)}
            title={flags.rating === n ? `${starsLabel(n)} (press to clear)` : `Rate ${starsLabel(n)}`}
            tabIndex={tab}
            onClick={() => set({ rating: flags.rating === n ? 0 : n })}
          >
            <span aria-hidden="true">{n <= flags.rating ? '★' : '☆'}</span>
          </button>
        ))}
      </span>
    </>
  );
}

/** The favourite and the rating as they are, where they may not be changed: only what is set. */
function MarksShown({ flags, className }: { flags: UserFlags; className?: string | undefined }) {
  return (
    <>
      {flags.favorite && <span className={`fav set${className ? ` ${className}` : ''}`} role="img" aria-label="Favourite">♥</span>}
      {flags.rating > 0 && (
        <span role="img" aria-label={`Rating: ${starsLabel(flags.rating)}`} className="stars set">
          {STARS.map((n) => <span key={n} className={`star${n <= flags.rating ? ' on' : ''}`} aria-hidden="true">{n <= flags.rating ? '★' : '☆'}</span>)}
        </span>
      )}
    </>
  );
}
