import type { Command } from 'commander';
import { registerFileOpCommands } from './files-ops.js';
import { registerSendCommands } from './files-send.js';

/** `vss files …` (DESIGN §17): copy, move, delete and send files, each a verified, resumable job. */
export function registerFileCommands(program: Command): void {
  const files = program.command('files').description('copy, move, delete and send files (verified, resumable jobs)');
  registerFileOpCommands(files);
  registerSendCommands(files);
}
