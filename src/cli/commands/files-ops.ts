import type { Command } from 'commander';

/** `vss files copy|move|delete` (issue 21, item 3). */
export function registerFileOpCommands(files: Command): void {
  void files;
}
