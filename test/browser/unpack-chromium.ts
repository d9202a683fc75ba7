import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

/**
 * The headless Chromium shipped inside @sparticuz/chromium, unpacked once into a folder named after
 * the package's version. The package's own executablePath() unpacks into os.tmpdir() itself and
 * reuses any file named `chromium` there whatever its version, and two processes unpacking at once
 * fail (ETXTBSY): so we unpack into a private staging folder and rename it into place, which is
 * atomic — a concurrent caller either finds the finished folder or loses the rename and drops its copy.
 */

const require = createRequire(import.meta.url);
// The package exports no ./package.json: find its root from its main module (build/cjs/index.cjs).
const PACKAGE_JSON = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
const PACKAGE_BIN = join(dirname(PACKAGE_JSON), 'bin');
export const CHROMIUM_PACKAGE_VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

/** Written last inside the staging folder, so a folder holding it is complete. */
const MANIFEST = 'vss-browser.json';

export interface UnpackedChromium {
  executablePath: string;
  /** The package's fonts folder with a fontconfig file that adds it to the system's fonts. */
  fontconfigFile: string;
  /** The package's own NSS/NSPR/expat, set only when `ldd` found libraries missing on this machine. */
  ldLibraryPath: string | null;
}

export function unpackedDir(): string {
  return join(tmpdir(), `vss-chromium-${CHROMIUM_PACKAGE_VERSION}`);
}

/** The unpacked browser, unpacking it first if no earlier run did. Safe to call from many processes at once. */
export async function unpackChromium(): Promise<UnpackedChromium> {
  const dir = unpackedDir();
  const done = readManifest(dir);
  if (done) return done;
  if (existsSync(dir)) {
    throw new Error(`${dir} exists but is not a complete unpacked browser (no ${MANIFEST}); remove it and run again`);
  }
  const staging = mkdtempSync(`${dir}.partial-`);
  try {
    await unpackInto(staging);
    try {
      renameSync(staging, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process renamed its copy first: use that one.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const unpacked = readManifest(dir);
  if (!unpacked) throw new Error(`unpacking Chromium into ${dir} left no ${MANIFEST}`);
  return unpacked;
}

function readManifest(dir: string): UnpackedChromium | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { ldLibrary: boolean };
    return {
      executablePath: join(dir, 'chromium'),
      fontconfigFile: join(dir, 'fonts.conf'),
      ldLibraryPath: m.ldLibrary ? join(dir, 'al2023', 'lib') : null,
    };
  } catch {
    return undefined;
  }
}

async function unpackInto(staging: string): Promise<void> {
  const binary = join(staging, 'chromium');
  await pipeline(createReadStream(join(PACKAGE_BIN, 'chromium.br')), createBrotliDecompress(), createWriteStream(binary));
  chmodSync(binary, 0o755);
  await untarBrotli(join(PACKAGE_BIN, 'fonts.tar.br'), join(staging, 'fonts'));
  // SwiftShader's GL libraries sit beside the binary, where Chromium looks for them.
  await untarBrotli(join(PACKAGE_BIN, 'swiftshader.tar.br'), staging);
  writeFileSync(join(staging, 'fonts.conf'), fontconfig(join(unpackedDir(), 'fonts'), join(unpackedDir(), 'fontcache')));
  const ldLibrary = missingLibraries(binary).length > 0;
  if (ldLibrary) {
    await untarBrotli(join(PACKAGE_BIN, 'al2023.tar.br'), join(staging, 'al2023'));
    const still = missingLibraries(binary, join(staging, 'al2023', 'lib'));
    if (still.length > 0) throw new Error(`Chromium needs libraries this machine lacks, even with the package's own: ${still.join(', ')}`);
  }
  writeFileSync(join(staging, MANIFEST), JSON.stringify({ version: CHROMIUM_PACKAGE_VERSION, ldLibrary }) + '\n');
}

/** The shared libraries `ldd` reports "not found" for BINARY. */
export function missingLibraries(binary: string, ldLibraryPath?: string): string[] {
  const env = { ...process.env };
  if (ldLibraryPath) env.LD_LIBRARY_PATH = ldLibraryPath;
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', env, timeout: 20_000 });
  } catch (err) {
    // No ldd (not glibc): let the launch itself say what is missing.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return out.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(/\s/)[0]!);
}

/** Fonts: with none at all, text does not render (zero-height elements); the system's, if any, plus the package's Open Sans. */
function fontconfig(fontsDir: string, cacheDir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${fontsDir}</dir>
  <cachedir>${cacheDir}</cachedir>
</fontconfig>
`;
}

async function untarBrotli(archive: string, into: string): Promise<void> {
  // tar-fs is the package's own dependency (how it unpacks these archives itself).
  const tarFs = createRequire(PACKAGE_JSON)('tar-fs') as { extract: (dir: string) => NodeJS.WritableStream };
  await pipeline(createReadStream(archive), createBrotliDecompress(), tarFs.extract(into));
}
