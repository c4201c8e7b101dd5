// Loads `.cutter.yml` from a repository (defaults when absent) and validates it, with file:line in every error.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CutterError } from '../core/errors.js';
import { defaultConfig } from './defaults.js';
import type { CutterConfig } from './schema.js';

export const CONFIG_FILE_NAMES = ['.cutter.yml', '.cutter.yaml'] as const;

export interface LoadedConfig {
  config: CutterConfig;
  /** Absolute path of the file read, or null when the defaults apply. */
  source: string | null;
}

/** Read and validate `<dir>/.cutter.yml` (or `.cutter.yaml`); the defaults when neither exists. */
export async function loadConfig(dir: string): Promise<LoadedConfig> {
  for (const name of CONFIG_FILE_NAMES) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new CutterError('CUTTER_CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    return { config: await parseConfig(text, file), source: file };
  }
  return { config: defaultConfig(), source: null };
}

/**
 * Validate configuration text; `file` is only used to name the file in errors.
 * yaml and zod are loaded here, on demand: a repository without `.cutter.yml` never pays for them.
 */
export async function parseConfig(text: string, file = '.cutter.yml'): Promise<CutterConfig> {
  const [{ LineCounter, parseDocument }, { configSchema }, { configInvalid, configIssueLines }] = await Promise.all([
    import('yaml'),
    import('./schema.js'),
    import('./config-errors.js'),
  ]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
      const firstLine = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return `${file}:${pos.line}:${pos.col}: YAML syntax error: ${firstLine}`;
    });
    throw configInvalid(file, lines);
  }
  const data: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw configInvalid(file, configIssueLines(file, doc, lineCounter, configSchema, result.error.issues));
  }
  const { packageVersionFileIssues } = await import('./package-version-files.js');
  const misplaced = packageVersionFileIssues(result.data);
  if (misplaced.length > 0) {
    throw configInvalid(file, configIssueLines(file, doc, lineCounter, configSchema, misplaced));
  }
  return result.data;
}
