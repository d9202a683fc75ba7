import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, VssError } from '../../core/errors.js';
import { queueGeneration } from '../../jobs/queueing.js';
import { generatorSettings } from '../../jobs/settings.js';
import { isModelEngine, MODEL_ENGINES, ModelRegistry, type ModelEngine } from '../../models/registry.js';
import { validateModel } from '../../models/validate.js';
import { globals, vssFor } from '../context.js';
import { displayPath, printJson, printLine } from '../output.js';

function parseEngine(v: string): ModelEngine {
  if (!isModelEngine(v)) throw new UsageError(`unknown model engine ${JSON.stringify(v)}; engines are ${MODEL_ENGINES.join(', ')}`);
  return v;
}

/** A model id as a sidecar variant: lowercase letters, digits and . _ - (DESIGN §2). */
function modelId(path: string): string {
  const id = basename(path).toLowerCase().replace(/[^a-z0-9@._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  if (!id) throw new UsageError(`cannot make a model id from ${JSON.stringify(path)}; pass --id`);
  return id.slice(0, 100);
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('speech and embedding models on this device (never downloaded: you name the files)');

  models
    .command('list')
    .description('registered models')
    .action(function (this: Command) {
      const list = new ModelRegistry(vssFor(this).dataDir).list().map((m) => ({ ...m, present: existsSync(m.path) }));
      if (globals(this).json) return printJson(list);
      if (list.length === 0) return printLine('No models. Add one: vss models add whisper PATH/ggml-base.en.bin, vss models add embeddings DIR');
      for (const m of list) printLine(`${m.engine}  ${m.id}  ${displayPath(m.path)}${m.present ? '' : '  (missing)'}`);
    });

  models
    .command('add <engine> <path>')
    .description('register a whisper.cpp ggml model file or an embeddings model folder, then queue what it can make')
    .option('--id <id>', 'the embeddings model id (its sidecars\' variant); default: the folder name')
    .action(async function (this: Command, engineArg: string, pathArg: string, opts: { id?: string }) {
      const engine = parseEngine(engineArg);
      const path = resolve(pathArg);
      if (!existsSync(path)) throw new VssError('NOT_FOUND', 'no such file or folder', { path });
      const info = await validateModel(engine, path);
      const id = engine === 'whisper' ? 'default' : (opts.id ?? modelId(statSync(path).isDirectory() ? path : resolve(path, '..')));
      const vss = vssFor(this);
      const added = new ModelRegistry(vss.dataDir).add({ engine, id, path });
      // The work this model makes possible is queued now in the current library, if there is one.
      let queued = 0;
      if (vss.registry.current() || process.env.VSS_LIBRARY || globals(this).library) {
        const lib = vss.openLibrary(globals(this).library);
        try {
          queued = queueGeneration(lib, { settings: generatorSettings(lib, vss.dataDir) }).queued;
        } finally {
          lib.close();
        }
      }
      if (globals(this).json) return printJson({ ...added, info, queued });
      printLine(`Added ${engine} model ${added.id}: ${displayPath(path)}${info ? ` (${info})` : ''}`);
      if (queued > 0) printLine(`Queued ${queued} job${queued === 1 ? '' : 's'}: run vss jobs run --until-idle`);
    });

  models
    .command('remove <engine> [id]')
    .description('forget a registered model (the file stays where it is)')
    .action(function (this: Command, engineArg: string, id: string | undefined) {
      const n = new ModelRegistry(vssFor(this).dataDir).remove(parseEngine(engineArg), id);
      if (globals(this).json) return printJson({ removed: n });
      printLine(n ? `Removed ${n} model${n === 1 ? '' : 's'}.` : 'No such model.');
    });
}
