/**
 * The headless Chromium inside @sparticuz/chromium 147.0.0, unpacked once into a folder of the
 * spike's own (the package's executablePath() reuses any `chromium` in os.tmpdir(), whatever its
 * version). Fonts come from the package (no fonts: text does not render); its launch args are
 * not used (they disable web security).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

const require = createRequire(import.meta.url);
const PKG = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..');
const VERSION = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version;
const DIR = join(tmpdir(), `spike-wss-chromium-${VERSION}`);

async function untar(archive, into) {
  const tarFs = createRequire(join(PKG, 'package.json'))('tar-fs');
  await pipeline(createReadStream(archive), createBrotliDecompress(), tarFs.extract(into));
}

function missing(binary, ld) {
  try {
    const out = execFileSync('ldd', [binary], { encoding: 'utf8', env: { ...process.env, ...(ld ? { LD_LIBRARY_PATH: ld } : {}) }, timeout: 20_000 });
    return out.split('\n').filter((l) => l.includes('not found'));
  } catch { return []; }
}

export async function chromiumExecutable() {
  const manifest = join(DIR, 'spike.json');
  if (!existsSync(manifest)) {
    const staging = `${DIR}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const bin = join(PKG, 'bin');
    await pipeline(createReadStream(join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(join(staging, 'chromium')));
    chmodSync(join(staging, 'chromium'), 0o755);
    await untar(join(bin, 'fonts.tar.br'), join(staging, 'fonts'));
    await untar(join(bin, 'swiftshader.tar.br'), staging);
    writeFileSync(join(staging, 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(DIR, 'fonts')}</dir>\n  <cachedir>${join(DIR, 'fontcache')}</cachedir>\n</fontconfig>\n`);
    const needLibs = missing(join(staging, 'chromium')).length > 0;
    if (needLibs) await untar(join(bin, 'al2023.tar.br'), join(staging, 'al2023'));
    writeFileSync(join(staging, 'spike.json'), JSON.stringify({ version: VERSION, needLibs }));
    rmSync(DIR, { recursive: true, force: true });
    renameSync(staging, DIR);
  }
  const { needLibs } = JSON.parse(readFileSync(manifest, 'utf8'));
  const env = { FONTCONFIG_FILE: join(DIR, 'fonts.conf') };
  if (needLibs) env.LD_LIBRARY_PATH = join(DIR, 'al2023', 'lib');
  return { executablePath: join(DIR, 'chromium'), env, version: VERSION };
}
