/**
 * The one table of content kinds: what a content is, decided from its MIME type. Sidecar
 * policy, `content list --kind` and the generators all read it from here.
 */
export const CONTENT_KINDS = [
  'image',
  'video',
  'audio',
  'document',
  'text',
  'code',
  'archive',
  'font',
  'book',
  'database',
  'executable',
  'unknown',
] as const;

export type ContentKind = (typeof CONTENT_KINDS)[number];

export function isContentKind(value: string): value is ContentKind {
  return (CONTENT_KINDS as readonly string[]).includes(value);
}

const EXACT: Record<string, ContentKind> = {
  'application/pdf': 'document',
  'application/msword': 'document',
  'application/rtf': 'document',
  'application/vnd.ms-excel': 'document',
  'application/vnd.ms-powerpoint': 'document',
  'application/epub+zip': 'book',
  'application/x-mobipocket-ebook': 'book',
  'application/zip': 'archive',
  'application/gzip': 'archive',
  'application/x-tar': 'archive',
  'application/x-7z-compressed': 'archive',
  'application/x-rar-compressed': 'archive',
  'application/vnd.rar': 'archive',
  'application/x-bzip2': 'archive',
  'application/x-xz': 'archive',
  'application/zstd': 'archive',
  'application/x-lzip': 'archive',
  'application/x-compress': 'archive',
  'application/x-sqlite3': 'database',
  'application/vnd.sqlite3': 'database',
  'application/x-elf': 'executable',
  'application/x-msdownload': 'executable',
  'application/x-mach-binary': 'executable',
  'application/wasm': 'executable',
  'application/json': 'text',
  'application/xml': 'text',
  'application/yaml': 'text',
  'application/toml': 'text',
  'application/javascript': 'code',
  'application/x-sh': 'code',
  'application/x-python-code': 'code',
  'application/ogg': 'audio',
};

const PREFIX: Array<[string, ContentKind]> = [
  ['image/', 'image'],
  ['video/', 'video'],
  ['audio/', 'audio'],
  ['font/', 'font'],
  ['text/x-', 'code'],
  ['text/', 'text'],
  ['application/vnd.openxmlformats-officedocument.', 'document'],
  ['application/vnd.oasis.opendocument.', 'document'],
  ['application/vnd.apple.', 'document'],
];

export function kindForMime(mime: string): ContentKind {
  const exact = EXACT[mime];
  if (exact) return exact;
  for (const [prefix, kind] of PREFIX) if (mime.startsWith(prefix)) return kind;
  return 'unknown';
}
