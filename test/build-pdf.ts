/**
 * A tiny PDF writer for tests and benchmarks: numbered objects, a correct cross-reference table.
 * Enough to make well-formed, malformed and hostile PDFs on the fly instead of shipping files.
 */

/** OBJECTS[i] is the body of object i+1 (a string, or bytes for binary streams); object 1 is the catalog. */
export function buildPdf(objects: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let pos = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(pos);
    parts.push(obj);
    pos += obj.length;
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(off).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** A stream object's body: dictionary entries (without << >>) and the data. */
export function pdfStream(data: Buffer, dict = ''): Buffer {
  return Buffer.concat([Buffer.from(`<< /Length ${data.length} ${dict}>>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

/**
 * One page of MEDIABOX size showing CONTENT (a content stream using font /F1 = Helvetica, one of
 * the 14 standard fonts that are not embedded: rendering it needs pdfjs's bundled font data).
 */
export function onePagePdf(content: string | Buffer, mediaBox: [number, number, number, number] = [0, 0, 612, 792], streamDict = ''): Buffer {
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [${mediaBox.join(' ')}] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>`,
    pdfStream(typeof content === 'string' ? Buffer.from(content, 'latin1') : content, streamDict),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}
