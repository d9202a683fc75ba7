import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegTools } from '../../generators/tools/ffmpeg.js';
import { runTool } from '../../generators/tools/run-tool.js';

/**
 * A small but honest sample folder, built at run time: real JPEG/PNG/WebP images, a real PDF,
 * text notes, byte-identical duplicates, an empty file, a mislabelled file and awkward names.
 */
export async function buildSampleSet(root: string): Promise<void> {
  const photos = join(root, 'Photos');
  const docs = join(root, 'Documents');
  const backup = join(root, 'Backup', '2024 trip');
  const videos = join(root, 'Videos');
  for (const d of [photos, docs, backup, videos]) mkdirSync(d, { recursive: true });
  await sampleVideo(join(videos, 'clip.mp4'));

  await image(600, 400, '#1e6fd9', '#f9c74f', 'Beach').jpeg({ quality: 85 }).withMetadata({ orientation: 1 }).toFile(join(photos, 'beach.jpg'));
  await image(400, 600, '#2d6a4f', '#95d5b2', 'Forest').jpeg({ quality: 85 }).toFile(join(photos, 'forest.jpg'));
  await image(512, 512, '#6a040f', '#ffba08', 'Sunset').png().toFile(join(photos, 'sunset.png'));
  await image(320, 240, '#3c096c', '#c77dff', 'Night').webp({ quality: 80 }).toFile(join(photos, 'night.webp'));

  await scannedNote().png().toFile(join(docs, 'scanned-note.png'));
  writeFileSync(join(docs, 'notes.md'), '# Trip notes\n\n- Beach on Monday\n- Forest walk on Tuesday\n');
  writeFileSync(join(docs, 'Café ☕ 東京.txt'), 'Names in any script are indexed as they are.\n');
  writeFileSync(join(docs, 'report.pdf'), minimalPdf('Quarterly report: 42 photos kept'));
  writeFileSync(join(docs, 'empty.txt'), '');
  writeFileSync(join(docs, 'not-really-a-photo.jpg'), 'This is text with a .jpg name; vss trusts the bytes, not the name.\n');

  // Duplicates: the same bytes under other names share one content.
  copyFileSync(join(photos, 'beach.jpg'), join(backup, 'IMG_0001.jpg'));
  copyFileSync(join(photos, 'sunset.png'), join(backup, 'sunset copy.png'));
  copyFileSync(join(docs, 'notes.md'), join(backup, 'notes (1).md'));
}

/** A "scanned" page: dark text on paper-white, what OCR is for. */
function scannedNote(): sharp.Sharp {
  const lines = ['Receipt 2024-07-14', 'Beach umbrella rental 12.50', 'Two coffees 7.00', 'Total 19.50 paid in cash'];
  const text = lines.map((l, i) => `<text x="60" y="${110 + i * 70}" font-size="44" font-family="sans-serif" fill="#222">${l}</text>`).join('');
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420"><rect width="100%" height="100%" fill="#fbfaf5"/>${text}</svg>`));
}

/** A 3-second test-pattern clip with a tone, made by ffmpeg (the system's, else the one from npm). */
async function sampleVideo(path: string): Promise<void> {
  const { ffmpeg } = ffmpegTools();
  await runTool(ffmpeg, [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', path,
  ], { signal: new AbortController().signal, timeoutMs: 60_000 });
}

function image(width: number, height: number, from: string, to: string, label: string): sharp.Sharp {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <text x="50%" y="50%" font-size="${Math.round(Math.min(width, height) / 6)}" text-anchor="middle" fill="white" font-family="sans-serif">${label}</text>
  </svg>`;
  return sharp(Buffer.from(svg));
}

/** A one-page PDF with a real text layer and a correct cross-reference table. */
export function minimalPdf(text: string): Buffer {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const stream = `BT /F1 18 Tf 72 720 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
