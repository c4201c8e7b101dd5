import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CutterErrorCode, isCutterError } from '../errors.js';
import { setCargoTomlVersion } from './cargo-toml.js';
import { setChartYamlVersion } from './chart-yaml.js';
import { editorFor, VERSION_FILE_EDITORS, type VersionFileSpec } from './index.js';
import { setJsonPathVersion } from './json-path.js';
import { setMarkedVersion } from './marker-comment.js';
import { setPackageJsonVersion } from './package-json.js';
import { setPackageLockVersion } from './package-lock-json.js';
import { setPlainVersion } from './plain-version.js';
import { setPyprojectVersion } from './pyproject-toml.js';
import { setTomlKeyVersion } from './toml-key.js';
import { setYamlPathVersion } from './yaml-path.js';

const read = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

// Each fixture holds decoys (dependency versions, nested `version` keys, strings and comments that mention
// 1.2.3); its expected twin differs only on the line(s) holding the file's own version.
const cases: { fixture: string; path: string; spec?: VersionFileSpec; story: string }[] = [
  {
    fixture: 'package.json',
    path: 'package.json',
    story: 'package.json: only the top-level "version", tabs and odd spacing kept',
  },
  {
    fixture: 'package-lock.json',
    path: 'package-lock.json',
    story: 'package-lock.json: the root version and packages[""], not dependencies',
  },
  {
    fixture: 'pyproject.toml',
    path: 'pyproject.toml',
    story: 'pyproject.toml: [project].version, comments and multi-line strings untouched',
  },
  {
    fixture: 'pyproject-poetry.toml',
    path: 'pyproject.toml',
    story: "pyproject.toml: [tool.poetry].version in 'single quotes'",
  },
  { fixture: 'Cargo.toml', path: 'Cargo.toml', story: 'Cargo.toml: [package].version, not dependency versions' },
  {
    fixture: 'Cargo-workspace.toml',
    path: 'Cargo.toml',
    story: 'Cargo.toml: [workspace.package].version when the crate inherits it',
  },
  {
    fixture: 'Chart.yaml',
    path: 'charts/connector/Chart.yaml',
    story: 'Chart.yaml: version plain and appVersion quoted, as they were',
  },
  { fixture: 'VERSION', path: 'VERSION', story: 'VERSION: the one token' },
  { fixture: 'app.json', path: 'app.json', spec: { jsonPath: 'expo.version' }, story: 'any JSON file by key path' },
  {
    fixture: 'values.yaml',
    path: 'values.yaml',
    spec: { yamlPath: 'image.tag' },
    story: 'any YAML file by key path, single quotes kept',
  },
  {
    fixture: 'bumpversion.toml',
    path: '.bumpversion.toml',
    spec: { tomlKey: 'tool.bumpversion.current_version' },
    story: 'any TOML file by table.key, not the same key in an array of tables',
  },
  { fixture: 'version.py', path: 'src/acme/version.py', story: 'a line marked # x-cutter-version' },
  {
    fixture: 'version.go',
    path: 'version/version.go',
    story: 'lines between x-cutter-version-start and -end, a v prefix kept',
  },
];

function expectError(fn: () => unknown, code: CutterErrorCode, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isCutterError(err, code), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
    if (isCutterError(err)) expect(err.hint).toBeTruthy();
    return;
  }
  expect.fail(`expected ${code}`);
}

describe('version-file editors change only the version bytes', () => {
  for (const c of cases) {
    it(c.story, () => {
      const edit = editorFor(c.path, c.spec);
      const input = read(c.fixture);
      const expected = read(`expected/${c.fixture}`);
      expect(expected).not.toBe(input);
      expect(edit(input, '1.3.0')).toBe(expected);
      // Running again with the same version changes nothing.
      expect(edit(expected, '1.3.0')).toBe(expected);
      // CRLF files stay CRLF; a file without a final newline keeps having none.
      expect(edit(crlf(input), '1.3.0')).toBe(crlf(expected));
      expect(edit(input.replace(/\n$/, ''), '1.3.0')).toBe(expected.replace(/\n$/, ''));
    });
  }

  it('writes prerelease and build versions as well', () => {
    const pkg = setPackageJsonVersion(read('package.json'), '2.0.0-beta.1+sha.5114f85');
    expect(JSON.parse(pkg).version).toBe('2.0.0-beta.1+sha.5114f85');
    expect(setChartYamlVersion(read('Chart.yaml'), '2.0.0-rc.2')).toContain(
      'version: 2.0.0-rc.2 # chart version\nappVersion: "2.0.0-rc.2"\n',
    );
  });

  it('keeps a UTF-8 byte order mark at the start of a JSON file', () => {
    expect(setPackageJsonVersion('\uFEFF{"version": "1.0.0"}', '1.1.0')).toBe('\uFEFF{"version": "1.1.0"}');
  });

  it('finds a key written with JSON escapes and takes the last of duplicated keys, as JSON.parse does', () => {
    expect(setJsonPathVersion('{"a\\u0062": {"v": "1.0.0"}}', '1.1.0', { jsonPath: 'ab.v' })).toBe(
      '{"a\\u0062": {"v": "1.1.0"}}',
    );
    expect(setPackageJsonVersion('{"version": "1.0.0", "version": "1.0.1"}', '2.0.0')).toBe(
      '{"version": "1.0.0", "version": "2.0.0"}',
    );
  });

  it('addresses array items by index in JSON and YAML paths', () => {
    expect(setJsonPathVersion('{"a": [{"v": "1"}, {"v": "1.0.0"}]}', '1.1.0', { jsonPath: 'a.1.v' })).toBe(
      '{"a": [{"v": "1"}, {"v": "1.1.0"}]}',
    );
    expect(setYamlPathVersion('a:\n  - v: 1.0.0\n  - v: 1.0.0\n', '1.1.0', { yamlPath: 'a.1.v' })).toBe(
      'a:\n  - v: 1.0.0\n  - v: 1.1.0\n',
    );
  });

  it('edits the scalar behind a YAML anchor and leaves an alias pointing at it', () => {
    const chart = 'version: &v 1.0.0\nappVersion: *v\n';
    expect(setChartYamlVersion(chart, '1.1.0')).toBe('version: &v 1.1.0\nappVersion: *v\n');
  });

  it('finds a YAML path in a later document of a multi-document file', () => {
    expect(setYamlPathVersion('kind: A\n---\nspec:\n  version: "1.0.0"\n', '1.1.0', { yamlPath: 'spec.version' })).toBe(
      'kind: A\n---\nspec:\n  version: "1.1.0"\n',
    );
  });

  it('can leave a chart appVersion alone when the app is versioned separately', () => {
    expect(setChartYamlVersion('version: 1.0.0\nappVersion: "7.2"\n', '1.1.0', { appVersion: false })).toBe(
      'version: 1.1.0\nappVersion: "7.2"\n',
    );
  });

  it('updates both [project] and [tool.poetry] when a pyproject has both', () => {
    const text = '[project]\nversion = \'1.0.0\'\n\n[tool.poetry]\nversion = "1.0.0"\n';
    expect(setPyprojectVersion(text, '1.1.0')).toBe(
      '[project]\nversion = \'1.1.0\'\n\n[tool.poetry]\nversion = "1.1.0"\n',
    );
  });

  it('understands dotted keys and quoted keys in TOML', () => {
    expect(setCargoTomlVersion('package.name = "x"\npackage.version = "1.0.0"\n', '1.1.0')).toBe(
      'package.name = "x"\npackage.version = "1.1.0"\n',
    );
    expect(
      setTomlKeyVersion('["my table"]\n"the version" = "1.0.0"\n', '1.1.0', { tomlKey: 'my table.the version' }),
    ).toBe('["my table"]\n"the version" = "1.1.0"\n');
  });

  it('keeps a v prefix and surrounding whitespace in a VERSION file, and fills an empty one', () => {
    expect(setPlainVersion('  v1.0.0  \n\n', '1.1.0')).toBe('  v1.1.0  \n\n');
    expect(setPlainVersion('', '1.1.0')).toBe('1.1.0');
    expect(setPlainVersion('\n', '1.1.0')).toBe('1.1.0\n');
  });

  it('does not take a longer dotted number on a marked line for a version', () => {
    expect(setMarkedVersion('IP = "10.1.2.3"; V = "1.0.0" # x-cutter-version\n', '1.1.0')).toBe(
      'IP = "10.1.2.3"; V = "1.1.0" # x-cutter-version\n',
    );
  });

  it('registers every editor in one table and picks them by file name or spec', () => {
    expect(Object.keys(VERSION_FILE_EDITORS).sort()).toEqual(
      [
        'Cargo.toml',
        'Chart.yaml',
        'VERSION',
        'json',
        'marker',
        'package-lock.json',
        'package.json',
        'pyproject.toml',
        'toml',
        'yaml',
      ].sort(),
    );
    expect(editorFor('npm-shrinkwrap.json')('{"version": "1.0.0"}', '1.1.0')).toBe('{"version": "1.1.0"}');
    expect(editorFor('deploy/Chart.yml')('version: 1.0.0\n', '1.1.0')).toBe('version: 1.1.0\n');
    expect(editorFor('notes.txt', { type: 'VERSION' })('1.0.0', '1.1.0')).toBe('1.1.0');
    expect(editorFor('Dockerfile')('LABEL version="1.0.0" # x-cutter-version\n', '1.1.0')).toBe(
      'LABEL version="1.1.0" # x-cutter-version\n',
    );
  });
});

describe('version-file editors refuse what they cannot edit safely', () => {
  it('package.json without a version key', () => {
    expectError(
      () => setPackageJsonVersion('{"name": "x"}', '1.0.0'),
      'CUTTER_BAD_INPUT',
      /^package\.json has no "version" key$/,
    );
  });

  it('a JSON file that does not parse', () => {
    expectError(
      () => setPackageJsonVersion('{"version": "1.0.0",}', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /package\.json cannot be parsed/,
    );
    expectError(
      () => editorFor('app.json', { jsonPath: 'a' })('', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /app\.json cannot be parsed/,
    );
  });

  it('a JSON version that is a number or an object, not a string', () => {
    expectError(() => setPackageJsonVersion('{"version": 1}', '1.1.0'), 'CUTTER_BAD_INPUT', /not a plain string/);
    expectError(
      () => setJsonPathVersion('{"a": {"b": 1}}', '1.1.0', { jsonPath: 'a' }),
      'CUTTER_BAD_INPUT',
      /not a plain string/,
    );
  });

  it('package-lock.json without a root version', () => {
    expectError(
      () => setPackageLockVersion('{"packages": {"": {"version": "1.0.0"}}}', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /has no "version"/,
    );
  });

  it('a generic editor without its key path, or with an empty segment', () => {
    expectError(() => setJsonPathVersion('{}', '1.1.0'), 'CUTTER_BAD_INPUT', /jsonPath/);
    expectError(() => setYamlPathVersion('a: 1', '1.1.0'), 'CUTTER_BAD_INPUT', /yamlPath/);
    expectError(() => setTomlKeyVersion('a = 1', '1.1.0'), 'CUTTER_BAD_INPUT', /tomlKey/);
    expectError(() => setJsonPathVersion('{}', '1.1.0', { jsonPath: 'a..b' }), 'CUTTER_BAD_INPUT', /empty segment/);
  });

  it('pyproject.toml without a version, explaining a dynamic version', () => {
    expectError(
      () => setPyprojectVersion('[project]\nname = "x"\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /has no "project.version" key/,
    );
    expect(() => setPyprojectVersion('[project]\nname = "x"\ndynamic = ["version"]\n', '1.1.0')).toThrow(
      expect.objectContaining({ code: 'CUTTER_BAD_INPUT', hint: expect.stringMatching(/dynamic/) }),
    );
  });

  it('a TOML file that does not parse, naming the line', () => {
    expectError(
      () => setCargoTomlVersion('[package\nversion = "1.0.0"\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /line 1: a table header/,
    );
    expectError(
      () => setCargoTomlVersion('[package]\nversion = "1.0.0\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /line 2: a string is not closed/,
    );
    expectError(() => setCargoTomlVersion('{"package": {"version": "1.0.0"}}', '1.1.0'), 'CUTTER_BAD_INPUT', /line 1/);
    expectError(
      () => setCargoTomlVersion('[package]\nversion = "1.0.0" extra\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /unexpected text/,
    );
  });

  it('Cargo.toml whose crate inherits a version the file does not define', () => {
    expectError(
      () => setCargoTomlVersion('[package]\nname = "x"\nversion.workspace = true\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /has no "package.version"/,
    );
    expectError(
      () => setCargoTomlVersion('[package]\nversion = { workspace = true }\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /has no "package.version"/,
    );
  });

  it('a TOML version that is a multi-line string or a number', () => {
    expectError(
      () => setTomlKeyVersion('v = """1.0.0"""\n', '1.1.0', { tomlKey: 'v' }),
      'CUTTER_BAD_INPUT',
      /not a plain string/,
    );
    expectError(
      () => setTomlKeyVersion('v = 1.0\n', '1.1.0', { tomlKey: 'v' }),
      'CUTTER_BAD_INPUT',
      /not a plain string/,
    );
  });

  it('Chart.yaml without a version, or that does not parse', () => {
    expectError(
      () => setChartYamlVersion('name: x\nappVersion: 1.0.0\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /Chart\.yaml has no "version" key/,
    );
    expectError(
      () => setChartYamlVersion('version: [1.0.0\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /Chart\.yaml cannot be parsed/,
    );
    expectError(() => setChartYamlVersion('version: 1\nversion: 2\n', '1.1.0'), 'CUTTER_BAD_INPUT', /cannot be parsed/);
  });

  it('a YAML value that is a map or a block scalar', () => {
    expectError(
      () => setYamlPathVersion('image:\n  tag: 1\n', '1.1.0', { yamlPath: 'image' }),
      'CUTTER_BAD_INPUT',
      /not a plain string/,
    );
    expectError(
      () => setYamlPathVersion('v: |\n  1.0.0\n', '1.1.0', { yamlPath: 'v' }),
      'CUTTER_BAD_INPUT',
      /not a plain string/,
    );
  });

  it('a VERSION file with more than a version in it', () => {
    expectError(() => setPlainVersion('version 1.0.0\n', '1.1.0'), 'CUTTER_BAD_INPUT', /only a version/);
    expectError(() => setPlainVersion('latest\n', '1.1.0'), 'CUTTER_BAD_INPUT', /only a version/);
  });

  it('a file without the marker, a marked line without a version, an unclosed block', () => {
    expectError(
      () => setMarkedVersion('VERSION = "1.0.0"\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /no line marked x-cutter-version/,
    );
    expectError(
      () => setMarkedVersion('a\nVERSION = "latest" # x-cutter-version\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /line 2 .* holds no version/,
    );
    expectError(
      () => setMarkedVersion('# x-cutter-version-start\nV = "1.0.0"\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /never closes/,
    );
    expectError(
      () => setMarkedVersion('# x-cutter-version-start\n# x-cutter-version-end\n', '1.1.0'),
      'CUTTER_BAD_INPUT',
      /holds no version/,
    );
  });

  it('a version that is not SemVer, before reading the file', () => {
    for (const editor of Object.values(VERSION_FILE_EDITORS)) {
      expectError(() => editor('{}', 'v1.2.3'), 'CUTTER_INVALID_VERSION', /not a SemVer version/);
    }
    for (const bad of ['1.2', '=1.2.3', ' 1.2.3', '1.2.3\n']) {
      expectError(() => setPackageJsonVersion('{"version": "1.0.0"}', bad), 'CUTTER_INVALID_VERSION', /not a SemVer/);
    }
  });

  it('an unknown editor type', () => {
    expectError(() => editorFor('x.ini', { type: 'ini' }), 'CUTTER_BAD_INPUT', /unknown version file type "ini"/);
    expectError(() => editorFor('x.ini', { type: 'toString' }), 'CUTTER_BAD_INPUT', /unknown version file type/);
  });
});
