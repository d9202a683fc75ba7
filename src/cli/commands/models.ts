import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, VssError } from '../../core/errors.js';
import { checkVariant } from '../../sidecars/kinds.js';
import { SidecarManager } from '../../sidecars/manager.js';
import { modelVariant } from '../../generators/embeddings/model-info.js';
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

function embeddingsVariant(id: string): string {
  try {
    return modelVariant(id);
  } catch (err) {
    throw new UsageError(`--id: ${(err as Error).message}`);
  }
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
      const { id: ownId, description: info } = await validateModel(engine, path);
      // An embeddings model's id names its sidecars (the variant), so it must be a valid variant.
      const id = engine === 'whisper' ? 'default' : opts.id !== undefined ? embeddingsVariant(opts.id) : (ownId ?? '');
      if (engine === 'embeddings') checkVariant('embeddings', id);
      const vss = vssFor(this);
      const added = new ModelRegistry(vss.dataDir).add({ engine, id, path });
      // The work this model makes possible is queued now in the current library, if there is one.
      let queued = 0;
      if (vss.registry.current() || process.env.VSS_LIBRARY || globals(this).library) {
        const lib = vss.openLibrary(globals(this).library, { shared: true });
        try {
          new SidecarManager(lib).clearNotApplicable(['transcript', 'embeddings']);
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
