import type { Command } from 'commander';
import { clientFor, globals, withLibrary } from '../context.js';
import { parseDeviceType } from '../parse.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

export function registerLibraryCommands(program: Command): void {
  const library = program.command('library').description('create, list and select libraries');

  library
    .command('create <name>')
    .description('make DIR/NAME.sdlibrary (default DIR: the data dir) and make it current')
    .option('--path <dir>', 'folder to create the library in')
    .action(async function (this: Command, name: string, opts: { path?: string }) {
      const out = await (await clientFor(this)).libraries.create(name, { dir: opts.path });
      if (globals(this).json) printJson(out);
      else printLine(`Created library ${out.name} at ${displayPath(out.path)} (now current)`);
    });

  library
    .command('list')
    .description('the libraries this device knows')
    .action(async function (this: Command) {
      const libs = await (await clientFor(this)).libraries.list();
      if (globals(this).json) return printJson(libs);
      if (libs.length === 0) return printLine('No libraries yet: run `vss library create NAME`.');
      for (const l of libs) printLine(`${l.current ? '*' : ' '} ${l.name}  ${displayPath(l.path)}${l.available ? '' : '  (missing)'}`);
    });

  library
    .command('open <path>')
    .description('make the library at PATH current')
    .action(async function (this: Command, path: string) {
      printCurrent(this, await (await clientFor(this)).libraries.use(path));
    });

  library
    .command('switch <library>')
    .description('make the library this device knows by that name or id current')
    .action(async function (this: Command, nameOrId: string) {
      printCurrent(this, await (await clientFor(this)).libraries.switch(nameOrId));
    });

  library
    .command('close [library]')
    .description('stop using a library (default: the current one): it is no longer current, and a running daemon lets go of it')
    .action(async function (this: Command, nameOrId: string | undefined) {
      const closed = await (await clientFor(this)).libraries.close(nameOrId);
      if (globals(this).json) return printJson(closed);
      printLine(`Closed library ${closed.name} (${displayPath(closed.path)})${closed.was_current ? '; no library is current now: `vss library switch NAME` picks one' : ''}`);
    });

  library
    .command('stats')
    .description('what the library holds: contents, files, bytes, locations, sidecars by kind and status')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const s = await lib.stats();
        if (globals(this).json) return printJson(s);
        printLine(`${s.name}  ${displayPath(s.path)}`);
        printLine(`  contents:  ${s.contents} (${formatBytes(s.content_bytes)} once each)`);
        printLine(`  files:     ${s.files} files and ${s.dirs} folders (${formatBytes(s.bytes)}) in ${s.locations} location${s.locations === 1 ? '' : 's'}`);
        printLine(`  sidecars:  ${formatBytes(s.sidecar_bytes)} in the library folder`);
        for (const [kind, byStatus] of Object.entries(s.sidecars)) {
          printLine(`    ${kind.padEnd(17)} ${Object.entries(byStatus).map(([status, n]) => `${n} ${status}`).join(', ')}`);
        }
      }, 'read');
    });

  library
    .command('current')
    .description('the library commands use when --library is not given')
    .action(async function (this: Command) {
      const known = await (await clientFor(this)).libraries.current();
      if (globals(this).json) printJson(known);
      else printLine(`${known.name}  ${displayPath(known.path)}`);
    });

  library
    .command('policy [policy]')
    .description('show or set which sidecars deep mode makes on a device type, e.g. "thumb=grid@1x+grid@2x,ocr,proxy=quick"; "default" resets')
    .option('--device-type <type>', 'desktop or mobile (default: this device\'s, VSS_DEVICE_TYPE or desktop)', parseDeviceType)
    .action(async function (this: Command, policy: string | undefined, opts: { deviceType?: string }) {
      await withLibrary(this, async (lib) => {
        const p = await (policy !== undefined ? lib.policy.set(policy, opts.deviceType) : lib.policy.get(opts.deviceType));
        if (globals(this).json) return printJson(p);
        printLine(`${p.device_type}: ${p.policy}${p.default ? ' (default)' : ''}`);
      }, 'read');
    });
}

/** The library made current, as `open` and `switch` report it. */
function printCurrent(cmd: Command, known: { name: string; path: string }): void {
  if (globals(cmd).json) printJson(known);
  else printLine(`Current library: ${known.name} at ${displayPath(known.path)}`);
}
