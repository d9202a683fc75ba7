import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers.js';
import { PROC_SKIP } from '../process-tree.js';
import { alive, launchBrowser, newPage, type TrackedProcess } from './launch.js';
import { CHROMIUM_PACKAGE_VERSION } from './unpack-chromium.js';

const HERE = dirname(fileURLToPath(import.meta.url));

function runNode(args: string[], env: Record<string, string>, ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

async function gone(processes: TrackedProcess[], ms: number): Promise<TrackedProcess[]> {
  const deadline = Date.now() + ms;
  let left = processes.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(alive);
  }
  return left;
}

describe('the browser launcher (Chromium from npm)', { timeout: 300_000 }, () => {
  it('unpacks once when two processes ask at the same time, into a folder named after the version', async () => {
    const tmp = tempDir('vss-unpack-');
    try {
      const script = `import(${JSON.stringify(join(HERE, 'unpack-chromium.js'))}).then((m) => m.unpackChromium()).then((r) => console.log(JSON.stringify(r)))`;
      const env = { TMPDIR: tmp.path };
      const [a, b] = await Promise.all([runNode(['-e', script], env, 60_000), runNode(['-e', script], env, 60_000)]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout));
      assert.equal((JSON.parse(a.stdout) as { executablePath: string }).executablePath, join(tmp.path, `vss-chromium-${CHROMIUM_PACKAGE_VERSION}`, 'chromium'));
      assert.deepEqual(readdirSync(tmp.path), [`vss-chromium-${CHROMIUM_PACKAGE_VERSION}`], 'the loser dropped its staging copy');
    } finally {
      tmp.cleanup();
    }
  });

  it('renders text (fonts found) and leaves no process after close', { skip: PROC_SKIP }, async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 360, height: 640 });
      await page.setContent('<p id="t">Some text</p>');
      const height = await page.locator('#t').evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(height > 5, `text has a height (${height}px): a font was found`);
    } finally {
      await launched.close();
    }
    const recorded = launched.processes();
    assert.ok(recorded.length >= 1);
    assert.deepEqual(recorded.filter(alive), []);
  });

  it('dies with the process that launched it, even one killed with SIGKILL', { skip: PROC_SKIP }, async () => {
    const child = spawn(process.execPath, [join(HERE, 'launch-child.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('\n') && child.exitCode === null && Date.now() < deadline) await sleep(50);
    const processes = JSON.parse(out.split('\n')[0]!) as TrackedProcess[];
    assert.ok(processes.length >= 1, out);
    assert.deepEqual(processes.filter((p) => !alive(p)), [], 'all running while the launcher lives');
    child.kill('SIGKILL');
    const left = await gone(processes, 10_000);
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    assert.deepEqual(left, [], 'no Chromium process outlives its launcher');
  });
});
