import { useEffect, useState } from 'react';
import { api } from './api.js';
import { API, methodOf } from './api-paths.js';
import { reportError } from './errors.js';
import { setUserMeta, type UserFlags } from './meta-store.js';
import { Swatch, TagPicker, type Picked } from './tag-picker.js';
import { useTags } from './tags-data.js';
import type { DetailUser } from './types.js';
import { useMay } from './may.js';
import { FavoriteAndRating, useUserFlags } from './user-meta-controls.js';

/** The most a note holds (src/tags/shared-op.ts NOTE_MAX). */
const NOTE_MAX = 10_000;

/**
 * A content's own marks in its detail (DESIGN §16), shared by every device of the library: the
 * favourite, the rating, hidden or not, its tags (added from the tree or made by typing,
 * removed), and its note. CHANGED: read the detail again (a tag or the note was written).
 */
export function DetailUserPanel({ libId, uuid, user, changed }: { libId: string; uuid: string; user: DetailUser; changed: () => void }) {
  const flags = useUserFlags(uuid, user);
  const may = useMay();
  const [tags] = useTags(libId);
  const carried = new Set(user.tags.map((t) => t.uuid));

  const tagOp = async (op: 'tagsAdd' | 'tagsRemove', tag: string) => {
    try {
      await api(methodOf(op), op === 'tagsAdd' ? API.tagsAdd(libId) : API.tagsRemove(libId), { tag, contents: [uuid] });
    } catch (err) {
      reportError(err);
    }
    changed();
  };
  const pick = (p: Picked) => { void tagOp('tagsAdd', 'create' in p ? p.create : p.uuid); };

  return (
    <section className="detail-user" aria-labelledby={`mine-${uuid}`}>
      <h2 id={`mine-${uuid}`}>Favourite, rating and tags</h2>
      <div className="user-flags">
        <FavoriteAndRating libId={libId} uuid={uuid} flags={flags} className="big" readOnly={!may('metaSet')} />
        {may('metaSet') ? (
          <button
            type="button"
            className="hide-toggle"
            aria-pressed={flags.hidden}
            onClick={() => { void setUserMeta(libId, uuid, flags, { hidden: !flags.hidden }); }}
          >
            {flags.hidden ? 'Hidden from the grid' : 'Hide from the grid'}
          </button>
        ) : flags.hidden && <span className="muted">Hidden from the grid</span>}
      </div>
      <h3 className="small">Tags</h3>
      {user.tags.length === 0 ? <p className="muted small">No tags yet.</p> : (
        <ul className="tag-chips" aria-label="Tags of this content">
          {user.tags.map((t) => (
            <li key={t.uuid} className="chip">
              <Swatch color={t.color} />
              <a href={`#/?tag=${t.uuid}`} title={`Everything tagged ${t.path.join(' / ')}`}>{t.path.join(' / ')}</a>
              {may('tagsRemove') && <button type="button" className="quiet chip-remove" aria-label={`Remove tag ${t.name}`} title="Remove this tag" onClick={() => { void tagOp('tagsRemove', t.uuid); }}>×</button>}
            </li>
          ))}
        </ul>
      )}
      {may('tagsAdd') && tags.state === 'ready' && <TagPicker tags={tags.value} carried={carried} onPick={pick} />}
      {may('metaSet') ? <NoteEditor libId={libId} uuid={uuid} note={user.note} flags={flags} changed={changed} /> : user.note && <p className="note-text">{user.note}</p>}
    </section>
  );
}

/** The note: edited here, saved on request; a note changed elsewhere shows unless the user is editing this one. */
function NoteEditor({ libId, uuid, note, flags, changed }: { libId: string; uuid: string; note: string | null; flags: UserFlags; changed: () => void }) {
  const saved = note ?? '';
  const [draft, setDraft] = useState(saved);
  const [base, setBase] = useState(saved);
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  // Another device's (or tab's) note arrives: taken when this one is not being edited.
  useEffect(() => {
    if (draft === base) setDraft(saved);
    setBase(saved);
    // Only when the note read changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
  const dirty = draft !== saved;
  const save = async () => {
    setState('saving');
    const view = await setUserMeta(libId, uuid, flags, { note: draft });
    setState(view ? 'saved' : 'idle');
    changed();
  };
  return (
    <div className="note">
      <label className="field">
        <span>Note</span>
        <textarea value={draft} rows={3} maxLength={NOTE_MAX} onChange={(e) => { setDraft(e.currentTarget.value); setState('idle'); }} />
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!dirty || state === 'saving'} onClick={() => { void save(); }}>Save note</button>
        <span className="muted small" role="status">{state === 'saving' ? 'Saving…' : state === 'saved' && !dirty ? 'Saved' : ''}</span>
      </div>
    </div>
  );
}
