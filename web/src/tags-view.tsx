import { useState, type FormEvent } from 'react';
import { act } from './act.js';
import { API } from './api-paths.js';
import { count } from './format.js';
import { Page } from './page.js';
import { Swatch } from './tag-picker.js';
import { tagPath, treeOrder, useTags } from './tags-data.js';
import { useLibrary } from './library-context.js';
import { useMay } from './may.js';
import type { TagView } from './types.js';

/**
 * `#/tags`: the library's tags as a tree (DESIGN §16), each with its colour and how many contents
 * carry it; make one, rename, colour, move under another, merge into another (two tags of one
 * name, made on two devices at once, are marked so the user can merge them), delete after a
 * confirmation (the edit controls shown on demand, by the tag's Edit). A tag's count includes the
 * tags beneath it. Changes from other devices show as they arrive (`shared:changed`).
 */
export function TagsView() {
  const lib = useLibrary();
  const [tags, reload] = useTags(lib.id);
  const may = useMay();
  const call = (op: 'tagsCreate' | 'tagsChange' | 'tagsDelete' | 'tagsMerge', path: string, body?: unknown) => act(op, path, body, reload);
  const list = tags.state === 'ready' ? treeOrder(tags.value) : [];
  return (
    <Page label="Tags">
      <h1>Tags</h1>
      {may('tagsCreate') && <CreateTag create={(name) => call('tagsCreate', API.tagsCreate(lib.id), { name })} />}
      {tags.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {tags.state === 'error' && <p>{tags.message}</p>}
      {tags.state === 'ready' && (list.length === 0 ? <p className="muted">No tags yet: add one above, or to a photo from its detail.</p> : (
        <ul className="tag-tree" aria-label="Tags">
          {list.map(({ tag, depth }) => (
            <TagRow
              key={tag.uuid}
              tag={tag}
              depth={depth}
              all={tags.value}
              change={(c) => call('tagsChange', API.tag(lib.id, tag.uuid), c)}
              remove={() => call('tagsDelete', API.tag(lib.id, tag.uuid))}
              merge={(into) => call('tagsMerge', API.tagsMerge(lib.id), { from: tag.uuid, into })}
            />
          ))}
        </ul>
      ))}
    </Page>
  );
}

function CreateTag({ create }: { create: (name: string) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    if (await create(name.trim())) setName('');
  };
  return (
    <form className="inline-form" onSubmit={(e) => { void submit(e); }}>
      <label className="inline-field">
        <span>New tag</span>
        <input type="text" value={name} maxLength={200} onChange={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={name.trim() === ''}>Create tag</button>
    </form>
  );
}

type Editing = null | 'rename' | 'merge' | 'delete';

/** The tags a tag may go under: any but itself and those beneath it (a tag never becomes its own ancestor). */
function possibleParents(tag: TagView, all: readonly TagView[]): TagView[] {
  const below = new Set<string>([tag.uuid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of all) if (t.parent_uuid !== null && below.has(t.parent_uuid) && !below.has(t.uuid)) { below.add(t.uuid); grew = true; }
  }
  return all.filter((t) => !below.has(t.uuid));
}

function TagRow({ tag, depth, all, change, remove, merge }: {
  tag: TagView; depth: number; all: readonly TagView[];
  change: (c: { name?: string; color?: string; parent?: string }) => Promise<boolean>;
  remove: () => Promise<boolean>;
  merge: (into: string) => Promise<boolean>;
}) {
  const [editing, setEditing] = useState<Editing>(null);
  // The edit controls show on demand; a tag with a twin of the same name offers its merge anyway.
  const [controls, setControls] = useState(false);
  const [name, setName] = useState(tag.name);
  const twins = all.filter((t) => t.uuid !== tag.uuid && t.name.toLowerCase() === tag.name.toLowerCase());
  const others = [...twins, ...treeOrder(all).map((t) => t.tag).filter((t) => t.uuid !== tag.uuid && !twins.includes(t))];
  const [into, setInto] = useState(others[0]?.uuid ?? '');
  const shown = tagPath(tag);
  const parents = treeOrder(possibleParents(tag, all));
  const close = () => setEditing(null);
  // Each change offered where this session may make it (a paired browser may make tags, not edit them).
  const may = useMay();

  return (
    <li className="tag-row" style={{ paddingLeft: `${depth * 1.5}rem` }} aria-label={shown}>
      <div className="tag-line">
        <Swatch color={tag.color} />
        <span className="tag-name">{tag.name}</span>
        <span className="muted small tag-count">{count(tag.contents_total)} {tag.contents_total === 1 ? 'item' : 'items'}{tag.contents_total !== tag.contents ? ` (${count(tag.contents)} tagged ${tag.name} itself)` : ''}</span>
        {tag.same_name && <span className="twin" title="Two devices made a tag of this name at once: merge them into one">Same name as another tag</span>}
        <span className="tag-end">
          {tag.same_name && !controls && others.length > 0 && may('tagsMerge') && <button type="button" aria-label={`Merge ${shown}`} onClick={() => setEditing(editing === 'merge' ? null : 'merge')}>Merge…</button>}
          <a className="small" href={`#/?tag=${tag.uuid}`}>Show</a>
          {may('tagsChange') && <button type="button" className="quiet" aria-expanded={controls} aria-label={`Edit ${shown}`} onClick={() => { setControls(!controls); close(); }}>{controls ? 'Done' : 'Edit'}</button>}
        </span>
      </div>
      {controls && <div className="tag-actions">
        <button type="button" className="quiet" aria-label={`Rename ${shown}`} onClick={() => { setName(tag.name); setEditing(editing === 'rename' ? null : 'rename'); }}>Rename</button>
        <label className="inline-field">
          <span className="visually-hidden">Colour of {shown}</span>
          <input type="color" aria-label={`Colour of ${shown}`} value={tag.color ?? '#888888'} onChange={(e) => { void change({ color: e.currentTarget.value }); }} />
        </label>
        {tag.color && <button type="button" className="quiet" aria-label={`No colour for ${shown}`} onClick={() => { void change({ color: '' }); }}>No colour</button>}
        <label className="inline-field">
          <span className="muted small">Under</span>
          <select aria-label={`Parent of ${shown}`} value={tag.parent_uuid ?? ''} onChange={(e) => { void change({ parent: e.currentTarget.value }); }}>
            <option value="">(top)</option>
            {parents.map(({ tag: p, depth: d }) => <option key={p.uuid} value={p.uuid}>{`${'\u00a0\u00a0'.repeat(d)}${p.name}`}</option>)}
          </select>
        </label>
        {others.length > 0 && may('tagsMerge') && <button type="button" className={tag.same_name ? '' : 'quiet'} aria-label={`Merge ${shown}`} onClick={() => setEditing(editing === 'merge' ? null : 'merge')}>Merge…</button>}
        {may('tagsDelete') && <button type="button" className="quiet danger" aria-label={`Delete ${shown}`} onClick={() => setEditing(editing === 'delete' ? null : 'delete')}>Delete</button>}
      </div>}
      {editing === 'rename' && (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void change({ name: name.trim() }).then((ok) => ok && close()); }}>
          <label className="inline-field">
            <span>New name</span>
            <input type="text" autoFocus value={name} maxLength={200} onChange={(e) => setName(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Escape') close(); }} />
          </label>
          <button type="submit" className="primary" disabled={name.trim() === '' || name.trim() === tag.name}>Save name</button>
          <button type="button" onClick={close}>Cancel</button>
        </form>
      )}
      {editing === 'merge' && (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void merge(into).then((ok) => ok && close()); }}>
          <label className="inline-field">
            <span>Merge {tag.name} into</span>
            <select aria-label={`Merge ${shown} into`} autoFocus value={into} onChange={(e) => setInto(e.currentTarget.value)}>
              {others.map((t) => <option key={t.uuid} value={t.uuid}>{`${tagPath(t)} (${t.contents})${twins.includes(t) ? ' — same name' : ''}`}</option>)}
            </select>
          </label>
          <button type="submit" className="primary">Merge</button>
          <button type="button" onClick={close}>Cancel</button>
        </form>
      )}
      {editing === 'delete' && (
        <div className="confirm" role="alertdialog" aria-label={`Delete ${shown}?`}>
          <p>Delete the tag {shown}? {count(tag.contents)} {tag.contents === 1 ? 'item loses' : 'items lose'} it; the tags beneath it move up. The photos themselves stay.</p>
          <div className="actions">
            <button type="button" className="primary danger" autoFocus onClick={() => { void remove().then(close); }}>Delete tag</button>
            <button type="button" onClick={close}>Cancel</button>
          </div>
        </div>
      )}
    </li>
  );
}
