import { useId, useState, type KeyboardEvent } from 'react';
import { treeOrder } from './tags-data.js';
import type { TagView } from './types.js';

/** What the picker gives: an existing tag (by uuid), or a new one to make (by name). */
export type Picked = { uuid: string; name: string } | { create: string };

type Choice = { kind: 'tag'; tag: TagView; depth: number } | { kind: 'new'; name: string };

/**
 * A combobox to add a tag (DESIGN §16): the library's tags as a tree with their colours, narrowed
 * as the user types, and "Create …" when no tag has the typed name. Arrow keys move through the
 * choices, Enter takes one, Escape closes the list.
 */
export function TagPicker({ tags, carried, onPick, label = 'Add a tag' }: { tags: readonly TagView[]; carried: ReadonlySet<string>; onPick: (p: Picked) => void; label?: string }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const id = useId();
  const q = text.trim();
  const lower = q.toLowerCase();
  const choices: Choice[] = treeOrder(tags)
    .filter(({ tag }) => !carried.has(tag.uuid) && (lower === '' || tag.path.join('/').toLowerCase().includes(lower)))
    .map(({ tag, depth }) => ({ kind: 'tag' as const, tag, depth: lower === '' ? depth : 0 }));
  if (q !== '' && !tags.some((t) => t.name.toLowerCase() === lower)) choices.push({ kind: 'new', name: q });
  const at = Math.min(active, Math.max(0, choices.length - 1));
  const shown = open && choices.length > 0;

  const take = (c: Choice) => {
    onPick(c.kind === 'tag' ? { uuid: c.tag.uuid, name: c.tag.name } : { create: c.name });
    setText('');
    setActive(0);
    setOpen(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (choices.length > 0) setActive((at + (e.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const c = choices[at];
      if (c && (shown || q !== '')) take(c);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="tag-picker">
      <input
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded={shown}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={shown ? `${id}-${at}` : undefined}
        placeholder="Add a tag…"
        value={text}
        maxLength={200}
        onChange={(e) => { setText(e.currentTarget.value); setActive(0); setOpen(true); }}
        onFocus={() => setOpen(true)}
        onClick={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={`${id}-list`} role="listbox" aria-label="Tags" className="tag-options" hidden={!shown}>
        {choices.map((c, i) => (
          <li
            key={c.kind === 'tag' ? c.tag.uuid : `new:${c.name}`}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === at}
            className={i === at ? 'active' : undefined}
            style={c.kind === 'tag' ? { paddingLeft: `${0.5 + c.depth * 1.1}rem` } : undefined}
            // Keep the focus in the input (a click on a choice would blur it and close the list first).
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => take(c)}
          >
            {c.kind === 'tag' ? (
              <>
                <Swatch color={c.tag.color} />
                <span>{c.tag.name}</span>
                {lower !== '' && c.tag.path.length > 1 && <span className="muted small"> in {c.tag.path.slice(0, -1).join(' / ')}</span>}
              </>
            ) : <span>Create tag “{c.name}”</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A tag's colour as a dot (none: an outline). */
export function Swatch({ color }: { color: string | null }) {
  return <span className={`swatch${color ? '' : ' none'}`} style={color ? { background: color } : undefined} aria-hidden="true" />;
}
