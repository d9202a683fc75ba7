import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';
import { isModelEngine, MODEL_ENGINES, type ModelEngine } from './engines.js';

export { MODEL_ENGINES, isModelEngine, type ModelEngine };

export interface RegisteredModel {
  engine: ModelEngine;
  /** The variant name its sidecars get (embeddings), or the engine's name. */
  id: string;
  /** A ggml file (whisper) or a model folder (embeddings), absolute. */
  path: string;
  addedAt: string;
}

interface ModelsFile {
  version: 1;
  models: RegisteredModel[];
}

const FILE = 'models.json';
/** Held across each read-modify-write, so two `models add` at once keep both models. */
const LOCK_FILE = '.models.lock';
const MAX_MODELS = 64;

/**
 * The models this device has (weights are big and device-local, so they live in the data dir,
 * not in the portable library). vss never downloads one: the user names a file or folder.
 */
export class ModelRegistry {
  constructor(private readonly dataDir: string) {}

  list(): RegisteredModel[] {
    const path = join(this.dataDir, FILE);
    if (!existsSync(path)) return [];
    try {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ModelsFile>;
      return (Array.isArray(raw.models) ? raw.models : [])
        .filter((m): m is RegisteredModel => !!m && (MODEL_ENGINES as readonly string[]).includes(m.engine) && typeof m.id === 'string' && typeof m.path === 'string' && isAbsolute(m.path))
        .slice(0, MAX_MODELS);
    } catch (err) {
      throw new VssError('IO', `models.json is not valid JSON: ${(err as Error).message}`, { path, cause: err });
    }
  }

  /** Add or replace the model ENGINE/ID (one whisper model; embeddings by id). */
  add(model: Omit<RegisteredModel, 'addedAt'>): RegisteredModel {
    const entry: RegisteredModel = { ...model, addedAt: new Date().toISOString() };
    this.update((models) => {
      const rest = models.filter((m) => !(m.engine === model.engine && (model.engine === 'whisper' || m.id === model.id)));
      if (rest.length >= MAX_MODELS) throw new VssError('USAGE', `at most ${MAX_MODELS} models`);
      return [...rest, entry];
    });
    return entry;
  }

  remove(engine: ModelEngine, id?: string): number {
    let removed = 0;
    this.update((models) => {
      const keep = models.filter((m) => !(m.engine === engine && (id === undefined || m.id === id)));
      removed = models.length - keep.length;
      return keep;
    });
    return removed;
  }

  /** Read, change and write models.json under its lock, never from a copy read before another writer's. */
  private update(change: (models: RegisteredModel[]) => RegisteredModel[]): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    FileLock.withLock(join(this.dataDir, LOCK_FILE), () => this.save(change(this.list())));
  }

  private save(models: RegisteredModel[]): void {
    const file: ModelsFile = { version: 1, models };
    writeFileAtomicSync(join(this.dataDir, FILE), JSON.stringify(file, null, 2) + '\n');
  }
}
