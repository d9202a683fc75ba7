import type { Command } from 'commander';

/** `vss files send|inbox` (issue 21, item 4: Spacedrop to a paired device). */
export function registerSendCommands(files: Command): void {
  void files;
}
