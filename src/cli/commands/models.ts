import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { MODEL_ENGINES, isModelEngine } from '../../api/words.js';
import { globals, clientFor } from '../context.js';
import { displayPath, printJson, printLine } from '../output.js';
import { nextStep } from '../next-step.js';

function parseEngine(v: string): string {
  if (!isModelEngine(v)) throw new UsageError(`unknown model engine ${JSON.stringify(v)}; engines are ${MODEL_ENGINES.join(', ')}`);
  return v;
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('speech and embedding models on this device (never downloaded: you name the files)');

  models
    .command('list')
    .description('registered models')
    .action(async function (this: Command) {
      const list = await (await clientFor(this)).models.list();
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
      const library = globals(this).library;
      const vss = await clientFor(this);
      const added = await vss.models.add(engine, pathArg, { ...(opts.id !== undefined ? { id: opts.id } : {}), ...(library !== undefined ? { library } : {}) });
      if (globals(this).json) return printJson(added);
      printLine(`Added ${engine} model ${added.id}: ${displayPath(added.path)}${added.info ? ` (${added.info})` : ''}`);
      if (added.queued > 0) printLine(`Queued ${added.queued} job${added.queued === 1 ? '' : 's'}: ${nextStep(vss.viaDaemon)}`);
    });

  models
    .command('remove <engine> [id]')
    .description('forget a registered model (the file stays where it is)')
    .action(async function (this: Command, engineArg: string, id: string | undefined) {
      const { removed: n } = await (await clientFor(this)).models.remove(parseEngine(engineArg), id);
      if (globals(this).json) return printJson({ removed: n });
      printLine(n ? `Removed ${n} model${n === 1 ? '' : 's'}.` : 'No such model.');
    });
}
