import type { ManifestEntry } from './command-modules.js';

/*
 * Made by `npm run build` from the modules of commands (cli/manifest-gen.ts): do not edit. Each
 * top-level command, the module that adds it and how `vss --help` lists it, so that the command
 * line is parsed loading only the module of the command asked (cli/main.ts).
 */

export const COMMAND_MANIFEST: readonly ManifestEntry[] = [
  {"name":"library","module":"library","term":"library","description":"create, list and select libraries"},
  {"name":"location","module":"location","term":"location","description":"folders this library indexes"},
  {"name":"content","module":"content","term":"content","description":"unique contents and their copies"},
  {"name":"sidecars","module":"sidecars","term":"sidecars","description":"derivative data of each content: thumbnails, OCR, transcripts, ..."},
  {"name":"jobs","module":"jobs","term":"jobs","description":"the queue of work that makes sidecars"},
  {"name":"models","module":"models","term":"models","description":"speech and embedding models on this device (never downloaded: you name the files)"},
  {"name":"events","module":"events","term":"events [options]","description":"the daemon's events, one JSON object a line: the recent ones, then (--follow) as they happen"},
  {"name":"device","module":"device","term":"device","description":"this device's identity and settings"},
  {"name":"pair","module":"pair","term":"pair","description":"pair this device with another of yours (a 12-word code), so they share a library's sidecars"},
  {"name":"devices","module":"pair","term":"devices","description":"the devices paired with this one"},
  {"name":"sync","module":"sync","term":"sync","description":"sharing sidecars with paired devices"},
  {"name":"ui","module":"ui","term":"ui [options]","description":"print an address that signs one browser in to the web UI, once, within a minute (starting the daemon if none runs); --open opens it"},
  {"name":"search","module":"search","term":"search [options] [query...]","description":"search file names, OCR text, PDF text, transcripts and places: words, \"a phrase\", prefix*, and filters (tag: person: album: place: kind: date: device: rating: is:)"},
  {"name":"ls","module":"ls","term":"ls [address]","description":"list a folder of any device of the library: [DEVICE:]/LOCATION[/PATH] (no address: every device's locations)"},
  {"name":"tag","module":"tags","term":"tag","description":"tags, shared by every device of the library"},
  {"name":"meta","module":"tags","term":"meta","description":"a content's favourite, hidden, rating and note, shared by every device of the library"},
  {"name":"xmp","module":"tags","term":"xmp","description":"XMP sidecar files other photo tools (digiKam, darktable, Lightroom) keep beside the originals"},
  {"name":"people","module":"people","term":"people","description":"the people in your photos, found from their faces; names shared by every device"},
  {"name":"faces","module":"people","term":"faces","description":"the faces found in a photo (or a video's poster frame)"},
  {"name":"album","module":"albums","term":"album","description":"albums and smart albums (saved searches), shared by every device of the library"},
  {"name":"shares","module":"shares","term":"shares","description":"albums shared by a link (vss album share): who opened them, until when; end one"},
  {"name":"places","module":"places","term":"places","description":"where the photos were taken (from their GPS, offline), by country and town, with how many; find them with vss search place:NAME"},
  {"name":"files","module":"files","term":"files","description":"copy, move, delete and send files (verified, resumable jobs)"},
  {"name":"similar","module":"similar","term":"similar","description":"near-duplicates: photos whose pictures match though their bytes differ (re-encoded, resized, re-saved), the one to keep suggested"},
  {"name":"stack","module":"stacks","term":"stack","description":"change one stack (vss stacks list shows them): its cover, or unstack it"},
  {"name":"stacks","module":"stacks","term":"stacks","description":"stacks: a RAW and its camera's JPEG, or a burst's frames, shown as one item behind a cover (found by deep scans)"},
  {"name":"trash","module":"trash","term":"trash","description":"files a delete moved aside (on their own drive), restorable to their paths for 30 days"},
  {"name":"browse","module":"browse","term":"browse [options] <path>","description":"list a folder with kinds, sizes and content ids of small files, without adding it to the library"},
  {"name":"volumes","module":"volumes","term":"volumes","description":"this device's volumes (drives): mounted now, and tracked ones that are not"},
  {"name":"guardian","module":"guardian","term":"guardian","description":"keep every content safe: its copies across devices and drives, counted against a policy"},
  {"name":"actions","module":"actions","term":"actions","description":"the action log: every copy, move, delete, send and get, with its device, when and how it ended"},
  {"name":"demo","module":"demo","term":"demo [options]","description":"build a sample folder, index it deeply into a new library, make its sidecars and show what vss found and made"},
  {"name":"daemon","module":"daemon","term":"daemon","description":"the long-running process of a data dir: owns the libraries, serves the local API (one per data dir)"},
];
