import type { Command } from 'commander';
import { resolveDataDir } from '../../api/words.js';
import { shortId } from '../../core/short-id.js';
import type { ShareItem } from '../../api/index.js';
import { globals } from '../context.js';
import { printJson, printLine, warn } from '../output.js';

function shareLine(s: ShareItem): string {
  const state = s.state === 'live' ? `until ${s.expires_at.slice(0, 16).replace('T', ' ')} UTC` : s.state;
  const opened = s.browsers === 0 ? 'not opened yet' : `opened by ${s.browsers} browser${s.browsers === 1 ? '' : 's'}, last ${s.last_opened!.slice(0, 16).replace('T', ' ')} UTC`;
  return `${shortId(s.share_id)}  ${s.album}  ${state}  ${opened}${s.download ? '  downloads' : ''}${s.password ? '  password' : ''}`;
}

/** `vss album share|unshare` (issue 61): added to `vss album` by albums.ts. */
export function addShareCommands(album: Command): void {
  album
    .command('share <album>')
    .description('print a link (and its QR code) that opens the album, and nothing else, in any browser until it expires: on the home network when the daemon runs with --lan')
    .option('--expires <time>', 'how long the link works: 30m, 12h, 7d, 2w (default 7d, at most a year)')
    .option('--download', 'guests may download the originals (else they see the pictures only)')
    .option('--upload', 'guests may add photos to the album (they land in Uploads/Shared - ALBUM of this device\'s first location)')
    .option('--password [word]', 'guests must type a password: the one given, or one made and printed')
    .option('--by <name>', 'who shares it, as the guests see it (e.g. "Ann")')
    .action(async function (this: Command, name: string, o: { expires?: string; download?: boolean; upload?: boolean; password?: string | boolean; by?: string }) {
      const { shareAlbum, terminalQr } = await import('../../daemon/index.js');
      const made = await shareAlbum(resolveDataDir(globals(this).dataDir), {
        album: name, ...(o.expires !== undefined ? { expires: o.expires } : {}), download: o.download === true, upload: o.upload === true,
        ...(typeof o.password === 'string' ? { password: o.password } : o.password === true ? { make_password: true } : {}), ...(o.by !== undefined ? { by: o.by } : {}),
      });
      if (made.started !== null) process.stderr.write(`vss: started the daemon (pid ${made.started}); \`vss daemon stop\` stops it\n`);
      const { started: _started, ...answer } = made;
      if (globals(this).json) return printJson(answer);
      if (process.stdout.isTTY) process.stdout.write(`${await terminalQr(made.url)}\n`);
      printLine(made.url);
      if (!/^https?:\/\/(127\.|\[::1\]|localhost)/.test(made.url)) {
        const others = made.urls.filter((u) => u !== made.url);
        if (others.length > 0) process.stderr.write(`vss: the same link at ${others.length === 1 ? 'another address' : 'other addresses'}:\n${others.map((u) => `     ${u}\n`).join('')}`);
      } else warn('the daemon serves this machine only: others cannot open this link (restart it with `vss daemon stop && vss daemon start --lan`)');
      if (made.password !== undefined) process.stderr.write(`vss: the password to give with it: ${made.password}\n`);
      process.stderr.write(`vss: the link opens album ${JSON.stringify(name)} only, until ${made.expires_at.slice(0, 16).replace('T', ' ')} UTC; \`vss album unshare ${JSON.stringify(name)}\` ends it (share ${shortId(made.share_id)})\n`);
    });

  album
    .command('unshare <album>')
    .description('end every link of the album now: each browser that opened one is refused from its next request')
    .action(async function (this: Command, name: string) {
      const { revokeShares } = await import('../../daemon/index.js');
      const ended = await revokeShares(resolveDataDir(globals(this).dataDir), { album: name });
      if (globals(this).json) return printJson(ended);
      printLine(`Ended ${ended.length} share${ended.length === 1 ? '' : 's'} of ${JSON.stringify(name)}.`);
    });
}

/** `vss shares list|revoke` (issue 61): the albums shared by a link, managed as devices are. */
export function registerShareCommands(program: Command): void {
  const shares = program.command('shares').description('albums shared by a link (vss album share): who opened them, until when; end one');
  shares
    .command('list')
    .description('every share, live or ended lately: its album, until when, how many browsers opened it and when last')
    .action(async function (this: Command) {
      const { listShares } = await import('../../daemon/index.js');
      const list = await listShares(resolveDataDir(globals(this).dataDir));
      if (globals(this).json) return printJson(list);
      if (list.length === 0) return printLine('No album is shared (vss album share ALBUM).');
      for (const s of list) printLine(shareLine(s));
    });
  shares
    .command('revoke <id>')
    .description('end a share now (its id, or the start of it): every browser that opened it is refused from its next request')
    .action(async function (this: Command, id: string) {
      const { revokeShares } = await import('../../daemon/index.js');
      const ended = await revokeShares(resolveDataDir(globals(this).dataDir), { id });
      if (globals(this).json) return printJson(ended);
      for (const s of ended) printLine(`Ended share ${shortId(s.share_id)} of ${JSON.stringify(s.album)}.`);
    });
}
