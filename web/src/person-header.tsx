import { get } from './api.js';
import { API } from './api-paths.js';
import { FaceCrop } from './face-crop.js';
import { counted } from './format.js';
import { href } from './routes.js';
import type { GridFilter, PersonCardView } from './types.js';
import { useLiveEvent } from './use-live-event.js';
import { useLoad } from './use-load.js';

/** Above a person's photos (the grid with `person=ID`): their face, their name, their counts, and the way back to everyone. */
export function PersonHeader({ libId, person, filter }: { libId: string; person: string; filter: GridFilter }) {
  const [people, reload] = useLoad((signal) => get<PersonCardView[]>(API.people(libId), signal), [libId]);
  useLiveEvent('shared:changed', (e) => { if (e.library_id === libId) reload(); });
  useLiveEvent('people:changed', (e) => { if (e.library_id === libId) reload(); });
  const p = people.state === 'ready' ? people.value.find((x) => x.person_id === person) : undefined;
  const { person: _p, ...rest } = filter;
  return (
    <div className="person-header">
      {p?.cover && <FaceCrop libId={libId} contentUuid={p.cover.content_uuid} index={p.cover.index} size={56} label={p.name ?? 'Not named'} />}
      <h2>{p ? (p.name ?? 'Not named yet') : 'A person'}</h2>
      {p && <span className="muted">{counted(p.contents, 'photo')}</span>}
      <a href="#/people">All people</a>
      <a href={href({ view: 'library', filter: rest })}>Everyone's photos</a>
    </div>
  );
}
