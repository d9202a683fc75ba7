import { useEffect, useRef, useState, type FormEvent } from 'react';
import { act } from './act.js';
import { get } from './api.js';
import { API } from './api-paths.js';
import { FaceCrop } from './face-crop.js';
import { counted } from './format.js';
import { useLibrary } from './library-context.js';
import { useMay } from './may.js';
import { Page } from './page.js';
import { href } from './routes.js';
import type { PersonCardView, UnsortedFacesView } from './types.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad } from './use-load.js';

/** Unnamed people with at least this many faces are asked about first. */
const SUGGEST_FACES = 3;
const SUGGESTIONS = 8;
/** Faces that are nobody yet shown when nobody is found yet. */
const UNSORTED_SHOWN = 12;

/**
 * `#/people`: everyone found in the photos (issue 31), a face for each, with how many faces and
 * photos: name by typing (Enter), open their photos, select several and merge them, hide one.
 * Unnamed people with many faces are asked about first. Names and merges are shared data: they
 * show on every device, and changes from the others show here as they come.
 */
export function PeopleView() {
  const lib = useLibrary();
  const may = useMay();
  const [showHidden, setShowHidden] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [people, reloadPeople] = useLoad((signal) => get<PersonCardView[]>(API.people(lib.id), signal), [lib.id]);
  const [unsorted, reloadUnsorted] = useLoad((signal) => get<UnsortedFacesView>(API.facesUnsorted(lib.id, UNSORTED_SHOWN), signal), [lib.id]);
  const reload = () => { reloadPeople(); reloadUnsorted(); };
  useLiveEvent('people:changed', (e) => { if (e.library_id === lib.id) reload(); });
  useLiveEvent('shared:changed', (e) => { if (e.library_id === lib.id) reload(); });
  useReconnect(reload);
  const call = (op: 'peopleName' | 'peopleMerge' | 'peopleHide' | 'peopleShow', path: string, body?: unknown) => act(op, path, body, reload);
  const all = people.state === 'ready' ? people.value : [];
  const shown = all.filter((p) => showHidden || !p.hidden);
  const suggestions = all.filter((p) => p.name === null && !p.hidden && p.faces >= SUGGEST_FACES).sort((a, b) => b.faces - a.faces).slice(0, SUGGESTIONS);
  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (!next.delete(id)) next.add(id);
    return next;
  });
  const merge = async () => {
    // The first chosen keeps its id: a named one first, so its name stays.
    const chosen = all.filter((p) => selected.has(p.person_id)).sort((a, b) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0));
    if (await call('peopleMerge', API.peopleMerge(lib.id), { people: chosen.map((p) => p.person_id) })) setSelected(new Set());
  };
  const card = (p: PersonCardView) => (
    <PersonCard
      key={p.person_id}
      person={p}
      libId={lib.id}
      selected={selected.has(p.person_id)}
      toggle={() => toggle(p.person_id)}
      rename={(name) => call('peopleName', API.peopleName(lib.id, p.person_id), { name })}
      hide={(hide) => call(hide ? 'peopleHide' : 'peopleShow', API.peopleHide(lib.id, p.person_id, hide))}
    />
  );
  return (
    <Page label="People">
      <h1>People</h1>
      {people.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {people.state === 'error' && <p>{people.message}</p>}
      {people.state === 'ready' && all.length === 0 && unsorted.state !== 'loading' && (
        unsorted.state === 'ready' && unsorted.value.faces > 0 ? <Unsorted faces={unsorted.value} libId={lib.id} /> : (
          <section className="empty">
            <p>Nobody yet. People are found in the photos of locations indexed in deep mode: add one on the <a href="#/locations">Locations</a> page (or <code>vss location add DIR --mode deep</code>), and the faces found in several photos become people here.</p>
          </section>
        )
      )}
      {suggestions.length > 0 && may('peopleName') && (
        <section aria-labelledby="who">
          <h2 id="who">Who is this?</h2>
          <ul className="people-grid" aria-label="People to name">{suggestions.map(card)}</ul>
        </section>
      )}
      {all.length > 0 && (
        <section aria-labelledby="everyone">
          <div className="people-bar">
            <h2 id="everyone">Everyone</h2>
            <label className="check"><input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.currentTarget.checked)} /> Show hidden people</label>
            {may('peopleMerge') && <button type="button" disabled={selected.size < 2} onClick={() => { void merge(); }}>
              Merge {selected.size >= 2 ? counted(selected.size, 'person', 'people') : 'selected'}
            </button>}
          </div>
          <ul className="people-grid" aria-label="Everyone">{shown.map(card)}</ul>
        </section>
      )}
    </Page>
  );
}

/** Faces found but nobody yet: how many, and the clearest, each opening its photo, where its box names it. */
function Unsorted({ faces, libId }: { faces: UnsortedFacesView; libId: string }) {
  return (
    <section className="empty" aria-labelledby="unsorted">
      <h2 id="unsorted">Faces not grouped yet</h2>
      <p>
        {counted(faces.faces, 'face')} found in {counted(faces.contents, 'photo')}, not yet grouped into people: a person appears once the same face is in
        several photos. Open a photo and choose a face to name it yourself.
      </p>
      <ul className="people-grid" aria-label="Faces not grouped yet">
        {faces.sample.map((f, i) => (
          <li key={f.face_id} className="person-card">
            <a href={href({ view: 'content', uuid: f.content_uuid, q: '' })} aria-label={`Face ${i + 1}: open its photo to name it`}>
              <FaceCrop libId={libId} contentUuid={f.content_uuid} index={f.index} label={`Face ${i + 1}`} />
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PersonCard({ person, libId, selected, toggle, rename, hide }: {
  person: PersonCardView;
  libId: string;
  selected: boolean;
  toggle: () => void;
  rename: (name: string) => Promise<boolean>;
  hide: (hide: boolean) => Promise<boolean>;
}) {
  const [name, setName] = useState(person.name ?? '');
  // A name given elsewhere (another device, another tab) replaces what the field shows; what this
  // field sent last is not sent again (Enter, then leaving the field).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    setName(person.name ?? '');
    sent.current = null;
  }, [person.name]);
  const label = person.name ?? 'Not named';
  // Naming, hiding and merging people are this machine's (a paired browser sees who is who).
  const may = useMay();
  const send = (value: string) => {
    const v = value.trim();
    if (v === '' || v === (person.name ?? '') || v === sent.current) return;
    sent.current = v;
    void rename(v);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send(name);
  };
  return (
    <li className={`person-card${person.hidden ? ' hidden-person' : ''}${selected ? ' selected' : ''}`} data-person={person.person_id}>
      <a href={href({ view: 'library', filter: { person: person.person_id } })} aria-label={`${label}: ${counted(person.contents, 'photo')}`}>
        {person.cover ? <FaceCrop libId={libId} contentUuid={person.cover.content_uuid} index={person.cover.index} label={label} /> : <span className="face-crop" />}
      </a>
      {!may('peopleName') ? <span className="person-name">{label}</span> : <form onSubmit={submit}>
        <input
          type="text"
          aria-label={`Name of ${label}`}
          placeholder="Add a name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.currentTarget.value)}
          onBlur={(e) => send(e.currentTarget.value)}
        />
      </form>}
      <span className="muted">{counted(person.faces, 'face')} · {counted(person.contents, 'photo')}</span>
      {(may('peopleMerge') || may('peopleHide')) && <span className="person-actions">
        {may('peopleMerge') && <label className="check"><input type="checkbox" checked={selected} onChange={toggle} aria-label={`Select ${label}`} /> Select</label>}
        {may('peopleHide') && <button type="button" className="quiet" aria-label={`${person.hidden ? 'Show' : 'Hide'} ${label}`} onClick={() => { void hide(!person.hidden); }}>{person.hidden ? 'Show' : 'Hide'}</button>}
      </span>}
    </li>
  );
}
