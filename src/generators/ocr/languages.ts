/**
 * Where tesseract's language data is on this device: the npm packages `@tesseract.js-data/<code>`,
 * which hold `4.0.0_best_int/<code>.traineddata.gz` (LSTM-only integer models, what tesseract.js
 * itself uses for its default engine) and `4.0.0/<code>.traineddata.gz` (with the legacy engine).
 * Nothing is ever downloaded: a language whose package is not installed is unavailable.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** tesseract language codes: eng, deu, chi_sim, deu_latf … (no paths). */
const LANG_CODE = /^[a-z]{3}(_[a-z]{2,8})*$/;

/** Model folders in order of preference (the LSTM engine is what we run). */
const MODEL_DIRS = ['4.0.0_best_int', '4.0.0'] as const;

export interface LanguageData {
  code: string;
  /** Folder holding `<code>.traineddata.gz`: tesseract.js's `langPath`. */
  dir: string;
  /** Which model set: "4.0.0_best_int" or "4.0.0". */
  model: string;
}

/** The installed data of one language, or a reason why there is none. */
export function findLanguageData(code: string): LanguageData | string {
  if (!LANG_CODE.test(code)) return `"${code}" is not a tesseract language code`;
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
  } catch {
    return `no OCR data for language "${code}" (npm package @tesseract.js-data/${code} is not installed)`;
  }
  for (const model of MODEL_DIRS) {
    const dir = join(pkgDir, model);
    if (existsSync(join(dir, `${code}.traineddata.gz`))) return { code, dir, model };
  }
  return `the package @tesseract.js-data/${code} has no ${code}.traineddata.gz`;
}

/** All of LANGS' data, or the first reason one is missing. */
export function findLanguages(langs: readonly string[]): LanguageData[] | string {
  if (langs.length === 0) return 'no OCR language is set';
  const out: LanguageData[] = [];
  for (const code of langs) {
    const found = findLanguageData(code);
    if (typeof found === 'string') return found;
    out.push(found);
  }
  return out;
}
