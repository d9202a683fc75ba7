import type { Command } from 'commander';

/** What a module of commands exports: a function that adds its commands to the program. */
export type RegisterCommands = (program: Command) => void;

/**
 * Every module of commands, in the order `vss --help` lists them, each loaded only when one of its
 * commands runs (cli/main.ts; the names each adds are in command-manifest.ts, made from these).
 */
export const COMMAND_MODULES = {
  library: () => import('./commands/library.js').then((m): RegisterCommands => m.registerLibraryCommands),
  location: () => import('./commands/location.js').then((m): RegisterCommands => m.registerLocationCommands),
  content: () => import('./commands/content.js').then((m): RegisterCommands => m.registerContentCommands),
  sidecars: () => import('./commands/sidecars.js').then((m): RegisterCommands => m.registerSidecarCommands),
  jobs: () => import('./commands/jobs.js').then((m): RegisterCommands => m.registerJobCommands),
  models: () => import('./commands/models.js').then((m): RegisterCommands => m.registerModelCommands),
  events: () => import('./commands/events.js').then((m): RegisterCommands => m.registerEventsCommand),
  device: () => import('./commands/device.js').then((m): RegisterCommands => m.registerDeviceCommands),
  pair: () => import('./commands/pair.js').then((m): RegisterCommands => m.registerPairCommands),
  sync: () => import('./commands/sync.js').then((m): RegisterCommands => m.registerSyncCommands),
  ui: () => import('./commands/ui.js').then((m): RegisterCommands => m.registerUiCommand),
  search: () => import('./commands/search.js').then((m): RegisterCommands => m.registerSearchCommands),
  ls: () => import('./commands/ls.js').then((m): RegisterCommands => m.registerLsCommand),
  tags: () => import('./commands/tags.js').then((m): RegisterCommands => m.registerTagCommands),
  people: () => import('./commands/people.js').then((m): RegisterCommands => m.registerPeopleCommands),
  albums: () => import('./commands/albums.js').then((m): RegisterCommands => m.registerAlbumCommands),
  shares: () => import('./commands/shares.js').then((m): RegisterCommands => m.registerShareCommands),
  places: () => import('./commands/places.js').then((m): RegisterCommands => m.registerPlacesCommand),
  files: () => import('./commands/files.js').then((m): RegisterCommands => m.registerFileCommands),
  similar: () => import('./commands/similar.js').then((m): RegisterCommands => m.registerSimilarCommands),
  stacks: () => import('./commands/stacks.js').then((m): RegisterCommands => m.registerStacksCommands),
  trash: () => import('./commands/trash.js').then((m): RegisterCommands => m.registerTrashCommands),
  browse: () => import('./commands/browse.js').then((m): RegisterCommands => m.registerBrowseCommand),
  volumes: () => import('./commands/volumes.js').then((m): RegisterCommands => m.registerVolumeCommands),
  guardian: () => import('./commands/guardian.js').then((m): RegisterCommands => m.registerGuardianCommands),
  actions: () => import('./commands/actions.js').then((m): RegisterCommands => m.registerActionCommands),
  demo: () => import('./commands/demo.js').then((m): RegisterCommands => m.registerDemoCommand),
  daemon: () => import('./commands/daemon.js').then((m): RegisterCommands => m.registerDaemonCommands),
} as const;

export type CommandModule = keyof typeof COMMAND_MODULES;

/** A top-level command as the manifest keeps it: its name, the module that adds it, how `vss --help` lists it. */
export interface ManifestEntry {
  name: string;
  module: CommandModule;
  term: string;
  description: string;
}
