// A step of `npm run build`, after tsc: the empty library database at the newest schema, written
// beside its module (src/db/empty-library.ts), so that a new library copies it rather than run
// every migration again.
const { writeEmptyLibraryFile } = await import('../dist/src/db/empty-library.js');
const file = writeEmptyLibraryFile();
console.log(`empty library database: ${file.slice(file.lastIndexOf('/dist/') + 1)}`);
