// The one table of version-file editors, and the lookup from a file path (plus optional config) to its editor.
import { CutterError } from '../errors.js';
import { setCargoTomlVersion } from './cargo-toml.js';
import { setChartYamlVersion } from './chart-yaml.js';
import type { VersionFileEditor, VersionFileOptions } from './editor.js';
import { setJsonPathVersion } from './json-path.js';
import { setMarkedVersion } from './marker-comment.js';
import { setPackageJsonVersion } from './package-json.js';
import { setPackageLockVersion } from './package-lock-json.js';
import { setPlainVersion } from './plain-version.js';
import { setPyprojectVersion } from './pyproject-toml.js';
import { setTomlKeyVersion } from './toml-key.js';
import { setYamlPathVersion } from './yaml-path.js';

export type { VersionFileEditor, VersionFileOptions } from './editor.js';

/** Adding a format is adding a row here (and, if it has a well-known file name, one in `BY_FILE_NAME`). */
export const VERSION_FILE_EDITORS: Record<string, VersionFileEditor> = {
  'package.json': setPackageJsonVersion,
  'package-lock.json': setPackageLockVersion,
  'pyproject.toml': setPyprojectVersion,
  'Cargo.toml': setCargoTomlVersion,
  'Chart.yaml': setChartYamlVersion,
  VERSION: setPlainVersion,
  json: setJsonPathVersion,
  yaml: setYamlPathVersion,
  toml: setTomlKeyVersion,
  marker: setMarkedVersion,
};

const BY_FILE_NAME: Record<string, string> = {
  'package.json': 'package.json',
  'package-lock.json': 'package-lock.json',
  'npm-shrinkwrap.json': 'package-lock.json',
  'pyproject.toml': 'pyproject.toml',
  'Cargo.toml': 'Cargo.toml',
  'Chart.yaml': 'Chart.yaml',
  'Chart.yml': 'Chart.yaml',
  VERSION: 'VERSION',
  'VERSION.txt': 'VERSION',
  'version.txt': 'VERSION',
};

/** How a configured version file is edited; all fields optional, the path alone usually suffices. */
export interface VersionFileSpec {
  /** A key of `VERSION_FILE_EDITORS`; inferred from the other fields or the file name when absent. */
  type?: string;
  jsonPath?: string;
  yamlPath?: string;
  tomlKey?: string;
  appVersion?: boolean;
}

/**
 * The editor for a file: an explicit `type`, else the generic editor a `jsonPath`/`yamlPath`/`tomlKey` asks
 * for, else the well-known file name, else the marker-comment editor (which fails clearly without a marker).
 */
export function editorFor(path: string, spec: VersionFileSpec = {}): (text: string, version: string) => string {
  const type = spec.type ?? (spec.jsonPath ? 'json' : spec.yamlPath ? 'yaml' : spec.tomlKey ? 'toml' : undefined);
  const name = path.split(/[\\/]/).pop() ?? path;
  const key = type ?? BY_FILE_NAME[name] ?? 'marker';
  const editor = Object.hasOwn(VERSION_FILE_EDITORS, key) ? VERSION_FILE_EDITORS[key] : undefined;
  if (!editor) {
    throw new CutterError('CUTTER_BAD_INPUT', `${path}: unknown version file type ${JSON.stringify(key)}`, {
      hint: `use one of ${Object.keys(VERSION_FILE_EDITORS).join(', ')}`,
    });
  }
  const opts: VersionFileOptions = { ...spec, file: path };
  return (text, version) => editor(text, version, opts);
}
