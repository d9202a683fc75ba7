import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_POLICY_SPECS, DEVICE_TYPES, deviceType, formatPolicy, parsePolicy, type DeviceType } from '../../jobs/policy.js';
import { writeLibraryConfig } from '../../library/config.js';
import { globals, vssFor, withLibrary } from '../context.js';
import { displayPath, printJson, printLine } from '../output.js';

export function registerLibraryCommands(program: Command): void {
  const library = program.command('library').description('create, list and select libraries');

  library
    .command('create <name>')
    .description('make DIR/NAME.sdlibrary (default DIR: the data dir) and make it current')
    .option('--path <dir>', 'folder to create the library in')
    .action(function (this: Command, name: string, opts: { path?: string }) {
      const lib = vssFor(this).createLibrary(name, opts.path);
      const out = { id: lib.config.id, name: lib.config.name, path: lib.root };
      lib.close();
      if (globals(this).json) printJson(out);
      else printLine(`Created library ${out.name} at ${displayPath(out.path)} (now current)`);
    });

  library
    .command('list')
    .description('the libraries this device knows')
    .action(function (this: Command) {
      const libs = vssFor(this).listLibraries();
      if (globals(this).json) return printJson(libs);
      if (libs.length === 0) return printLine('No libraries yet: run `vss library create NAME`.');
      for (const l of libs) printLine(`${l.current ? '*' : ' '} ${l.name}  ${displayPath(l.path)}${l.available ? '' : '  (missing)'}`);
    });

  library
    .command('open <path>')
    .description('make the library at PATH current')
    .action(function (this: Command, path: string) {
      const known = vssFor(this).useLibrary(path);
      if (globals(this).json) printJson(known);
      else printLine(`Current library: ${known.name} at ${displayPath(known.path)}`);
    });

  library
    .command('current')
    .description('the library commands use when --library is not given')
    .action(function (this: Command) {
      const known = vssFor(this).currentLibrary();
      if (globals(this).json) printJson(known);
      else printLine(`${known.name}  ${displayPath(known.path)}`);
    });

  library
    .command('policy [policy]')
    .description('show or set which sidecars deep mode makes on a device type, e.g. "thumb=grid@1x+grid@2x,ocr,proxy=quick"; "default" resets')
    .option('--device-type <type>', 'desktop or mobile (default: this device\'s, VSS_DEVICE_TYPE or desktop)')
    .action(async function (this: Command, policy: string | undefined, opts: { deviceType?: string }) {
      await withLibrary(this, (lib) => {
        const type = opts.deviceType ?? deviceType();
        if (!(DEVICE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--device-type must be one of ${DEVICE_TYPES.join(', ')}`);
        if (policy !== undefined) {
          const generation = { ...lib.config.settings.generation };
          if (policy === 'default') delete generation[type];
          else generation[type] = formatPolicy(parsePolicy(policy));
          writeLibraryConfig(lib.layout.configFile, { ...lib.config, settings: { ...lib.config.settings, generation } });
          lib.config.settings.generation = generation;
        }
        const spec = lib.config.settings.generation[type] ?? DEFAULT_POLICY_SPECS[type as DeviceType];
        const isDefault = lib.config.settings.generation[type] === undefined;
        if (globals(this).json) return printJson({ device_type: type, policy: spec, default: isDefault });
        printLine(`${type}: ${spec}${isDefault ? ' (default)' : ''}`);
      }, { shared: true });
    });
}
