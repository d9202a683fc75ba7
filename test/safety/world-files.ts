/**
 * The safety world's own file work: its template copied back (a few small folders, with their
 * times), and the PATH it runs with (no python3: see withoutPython).
 */
import { copyFileSync, mkdirSync, readdirSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PATH without python3 from here on (put back by the returned call): a copy keeps extended
 * attributes through a python3 helper started per job, ~250 ms of a step that is otherwise a few;
 * without it the copy goes on and says it kept none (src/storage/local-copy.ts), which no rule of
 * keeping data depends on. BIN gets a link to every other program of PATH.
 */
export function withoutPython(bin: string): () => void {
  const saved = process.env.PATH ?? '';
  mkdirSync(bin, { recursive: true });
  const seen = new Set<string>();
  for (const dir of saved.split(':')) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('python') || seen.has(name)) continue;
      seen.add(name);
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // a name that cannot be linked: left out
      }
    }
  }
  process.env.PATH = bin;
  // The system's own Python is asked for by its path (src/storage/local-copy.ts): named here, where there is none.
  const python = process.env.VSS_PYTHON;
  process.env.VSS_PYTHON = join(bin, 'python3');
  return () => {
    process.env.PATH = saved;
    if (python === undefined) delete process.env.VSS_PYTHON;
    else process.env.VSS_PYTHON = python;
  };
}

/** Copy the folder FROM to TO (made), files and folders with their times (cpSync's checks cost more than the copy of a few small files). */
export function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, e.name);
    const b = join(to, e.name);
    if (e.isDirectory()) copyTree(a, b);
    else if (e.isFile()) {
      copyFileSync(a, b);
      const st = statSync(a);
      utimesSync(b, st.atime, st.mtime);
    }
  }
  const st = statSync(from);
  utimesSync(to, st.atime, st.mtime);
}
