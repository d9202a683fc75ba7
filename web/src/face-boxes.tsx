import { useState, type FormEvent } from 'react';
import { act } from './act.js';
import { get } from './api.js';
import { API } from './api-paths.js';
import type { FaceView, PersonCardView } from './types.js';
import { useLiveEvent } from './use-live-event.js';
import { useLoad } from './use-load.js';
import { useMay } from './may.js';

/**
 * The faces found in a picture, boxed over it (placed in fractions of the image, as the text
 * boxes are) with each one's name; a box is a button: it opens a small form to say who the face
 * is — someone named, a new name, nobody, or back to what vss found (issue 31).
 */
export function FaceBoxes({ libId, uuid }: { libId: string; uuid: string }) {
  const [faces, reloadFaces] = useLoad((signal) => get<FaceView[]>(API.faces(libId, uuid), signal), [libId, uuid]);
  const [people, reloadPeople] = useLoad((signal) => get<PersonCardView[]>(API.people(libId), signal), [libId]);
  const [open, setOpen] = useState<string | null>(null);
  // Who a face is, said where this session may say it; elsewhere the boxes and names only.
  const mayName = useMay()('facesAssign');
  const reload = () => { reloadFaces(); reloadPeople(); };
  useLiveEvent('people:changed', (e) => { if (e.library_id === libId) reload(); });
  useLiveEvent('shared:changed', (e) => { if (e.library_id === libId) reload(); });
  // The boxes wait for the names too, so a named face never shows nameless for a moment.
  if (faces.state !== 'ready' || faces.value.length === 0 || people.state === 'loading') return null;
  const list = people.state === 'ready' ? people.value : [];
  const nameOf = new Map(list.map((p) => [p.person_id, p.name]));
  const assign = async (face: string, person: string) => {
    if (await act('facesAssign', API.faceAssign(libId, face), { person }, reload)) setOpen(null);
  };
  return (
    <div className="face-boxes" data-faces={faces.value.length}>
      {faces.value.map((f, i) => {
        const name = f.person_id === null ? null : nameOf.get(f.person_id) ?? null;
        const label = name ?? (f.person_id === null ? 'Unknown face' : 'A person not named yet');
        const at = { left: pct(f.box.x), top: pct(f.box.y), width: pct(f.box.w), height: pct(f.box.h) };
        if (!mayName) {
          return (
            <span key={f.face_id} className="face-box shown" data-face={f.face_id} role="img" aria-label={`Face ${i + 1}: ${label}`} title={label} style={at}>
              {name && <span className="face-name">{name}</span>}
            </span>
          );
        }
        return (
          <div key={f.face_id}>
            <button
              type="button"
              className="face-box"
              data-face={f.face_id}
              aria-label={`Face ${i + 1}: ${label}. Say who this is`}
              aria-expanded={open === f.face_id}
              title={label}
              style={at}
              onClick={() => setOpen(open === f.face_id ? null : f.face_id)}
            >
              {name && <span className="face-name">{name}</span>}
            </button>
            {open === f.face_id && (
              <AssignForm
                face={f}
                people={list}
                at={{ left: pct(f.box.x), top: pct(Math.min(0.8, f.box.y + f.box.h)) }}
                assign={(person) => assign(f.face_id, person)}
                close={() => setOpen(null)}
              />
            )}
          </div>
        );
      })}
    </div>
  );
}

function AssignForm({ face, people, at, assign, close }: {
  face: FaceView;
  people: readonly PersonCardView[];
  at: { left: string; top: string };
  assign: (person: string) => Promise<void>;
  close: () => void;
}) {
  const named = people.filter((p) => p.name !== null);
  // The face's person is chosen at first only when the list has them (a named person).
  const [choice, setChoice] = useState(named.some((p) => p.person_id === face.person_id) ? face.person_id! : '');
  const [newName, setNewName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const person = newName.trim() !== '' ? newName.trim() : choice;
    if (person !== '') void assign(person);
  };
  return (
    <form
      className="face-assign"
      style={at}
      aria-label="Who is this?"
      onSubmit={submit}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); } }}
    >
      <label className="inline-field">
        <span>Person</span>
        <select aria-label="Person" value={choice} onChange={(e) => { setChoice(e.currentTarget.value); setNewName(''); }} autoFocus>
          <option value="">Choose…</option>
          {named.map((p) => <option key={p.person_id} value={p.person_id}>{p.name}</option>)}
        </select>
      </label>
      <label className="inline-field">
        <span>or a new name</span>
        <input type="text" aria-label="New name" value={newName} maxLength={200} onChange={(e) => setNewName(e.currentTarget.value)} />
      </label>
      <span className="person-actions">
        <button type="submit" disabled={newName.trim() === '' && choice === ''}>Save</button>
        <button type="button" className="quiet" onClick={() => { void assign('none'); }}>Nobody</button>
        {face.person_id !== null && <button type="button" className="quiet" onClick={() => { void assign('auto'); }}>As found</button>}
        <button type="button" className="quiet" onClick={close}>Cancel</button>
      </span>
    </form>
  );
}

const pct = (f: number) => `${(Math.min(1, Math.max(0, f)) * 100).toFixed(3)}%`;
