import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseTomlReference } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isCutterError } from '../errors.js';
import { editorFor, type VersionFileSpec } from './index.js';
import { scanToml } from './toml-span.js';

// Reference parsers (JSON.parse, smol-toml, yaml) check the editors from the outside: after an edit the file
// means exactly what it meant before, except the version, whatever the version is.
const read = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

type Parser = (text: string) => unknown;
const parseToml: Parser = (text) => JSON.parse(JSON.stringify(parseTomlReference(text)));
/** What the reference parser reads from one value token on its own. */
const tomlValueOf = (token: string): unknown => (parseTomlReference(`v = ${token}`) as { v: unknown }).v;

const files: { fixture: string; path: string; spec?: VersionFileSpec; parse: Parser; versionAt: string[][] }[] = [
  { fixture: 'package.json', path: 'package.json', parse: JSON.parse, versionAt: [['version']] },
  {
    fixture: 'package-lock.json',
    path: 'package-lock.json',
    parse: JSON.parse,
    versionAt: [['version'], ['packages', '', 'version']],
  },
  { fixture: 'pyproject.toml', path: 'pyproject.toml', parse: parseToml, versionAt: [['project', 'version']] },
  {
    fixture: 'pyproject-poetry.toml',
    path: 'pyproject.toml',
    parse: parseToml,
    versionAt: [['tool', 'poetry', 'version']],
  },
  { fixture: 'Cargo.toml', path: 'Cargo.toml', parse: parseToml, versionAt: [['package', 'version']] },
  {
    fixture: 'Cargo-workspace.toml',
    path: 'Cargo.toml',
    parse: parseToml,
    versionAt: [['workspace', 'package', 'version']],
  },
  { fixture: 'Chart.yaml', path: 'Chart.yaml', parse: parseYaml, versionAt: [['version'], ['appVersion']] },
  {
    fixture: 'app.json',
    path: 'app.json',
    spec: { jsonPath: 'expo.version' },
    parse: JSON.parse,
    versionAt: [['expo', 'version']],
  },
  {
    fixture: 'values.yaml',
    path: 'values.yaml',
    spec: { yamlPath: 'image.tag' },
    parse: parseYaml,
    versionAt: [['image', 'tag']],
  },
  {
    fixture: 'bumpversion.toml',
    path: 'bumpversion.toml',
    spec: { tomlKey: 'tool.bumpversion.current_version' },
    parse: parseToml,
    versionAt: [['tool', 'bumpversion', 'current_version']],
  },
];

const identifier = fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/).filter((s) => !/^0\d/.test(s));
const semverArb = fc
  .tuple(
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.option(fc.array(fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  )
  .map(
    ([a, b, c, pre, build]) => `${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`,
  );

function setIn(value: unknown, path: readonly string[], to: string): unknown {
  if (path.length === 0) return to;
  const [head, ...rest] = path;
  const obj = value as Record<string, unknown>;
  return { ...obj, [head as string]: setIn(obj[head as string], rest, to) };
}

describe('version files keep their meaning apart from the version', () => {
  for (const f of files) {
    it(`${f.fixture}: any SemVer version lands at the right key and nothing else changes`, () => {
      const input = read(f.fixture);
      const edit = editorFor(f.path, f.spec);
      fc.assert(
        fc.property(semverArb, fc.boolean(), (version, windows) => {
          const text = windows ? input.replace(/\n/g, '\r\n') : input;
          const before = f.parse(text);
          const out = edit(text, version);
          const expected = f.versionAt.reduce((acc, path) => setIn(acc, path, version), before);
          expect(f.parse(out)).toEqual(expected);
          // Byte-wise: only the version bytes differ, so putting the old version back restores the input.
          expect(out.split(version).join('1.2.3')).toBe(text);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('the TOML scanner agrees with a TOML parser', () => {
  const documents = [
    read('pyproject.toml'),
    read('pyproject-poetry.toml'),
    read('Cargo.toml'),
    read('Cargo-workspace.toml'),
    read('bumpversion.toml'),
    [
      '# comment with [brackets] and "quotes"',
      'title = "say \\"hi\\" [not a table]"',
      "path = 'C:\\Users\\[x]'",
      '"quoted.key" = "q"',
      'a . b = "dotted with spaces"',
      'when = 1979-05-27 07:32:00Z',
      'list = [',
      '  "]", # a ] in a comment',
      "  '[',",
      '  { inline = "table" },',
      ']',
      'text = """',
      '[not.a.table]',
      'version = "0.0.0"',
      'escaped \\""" still inside',
      '"""',
      "raw = '''",
      "line with '' two quotes, not three",
      "'''",
      '[ spaced . "table name" ]',
      'version = "1.2.3"',
      '[[bin]]',
      'name = "one"',
      '[[bin]]',
      'name = "two"',
      '["après"]',
      '"clé" = "é"',
      '',
    ].join('\n'),
  ];

  it('finds every one-line string where the parser says it is, with the same value', () => {
    for (const doc of documents) {
      const reference = parseToml(doc);
      const strings = scanToml(doc, 'doc.toml').filter((e) => e.kind === 'string');
      expect(strings.length).toBeGreaterThan(0);
      for (const entry of strings) {
        if (entry.path.includes('[]')) continue; // array tables: the parser gives an array of tables
        const value = entry.path.reduce<unknown>((acc, key) => (acc as Record<string, unknown>)?.[key], reference);
        expect(value, entry.path.join('.')).toBe(tomlValueOf(doc.slice(entry.start, entry.end)));
      }
    }
  });

  it('does not take lines inside multi-line strings or arrays for tables or keys', () => {
    const paths = scanToml(documents[5] ?? '', 'doc.toml').map((e) => e.path.join('.'));
    expect(paths).not.toContain('not.a.table.version');
    expect(paths).toContain('spaced.table name.version');
    expect(paths).toContain('après.clé');
  });
  it('on generated TOML: fails only with a clear error, and accepts whatever the parser accepts', () => {
    const bareKey = fc.constantFrom('a', 'b', 'version', 'package', 'x-y', '1');
    const key = fc.oneof(
      bareKey,
      fc.constantFrom('"k.d"', "'lit'", '"say \\"hi\\""', '""'),
      fc.tuple(bareKey, bareKey).map(([a, b]) => `${a}.${b}`),
    );
    const str = fc.constantFrom('"v"', '"1.2.3"', '"a ] [ # b"', '"esc \\" q"', "'C:\\p'", "'[t]'", '""');
    const scalar = fc.oneof(str, fc.constantFrom('1', '-2.5', 'true', '1979-05-27', '1979-05-27 07:32:00Z', 'inf'));
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.array(scalar, { maxLength: 3 }).map((xs) => `[\n  ${xs.join(',\n  ')}${xs.length ? ',' : ''} # c ]\n]`),
      fc.tuple(bareKey, scalar).map(([k, v]) => `{ ${k} = ${v} }`),
      fc.constantFrom('"""\n[not.table]\nk = "v"\n"""', "'''\n# not a comment\n'''"),
    );
    const comment = fc.constantFrom('', ' # note', ' #[x] "y"');
    const line = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(key, value, comment).map(([k, v, c]) => `${k} = ${v}${c}`) },
      { weight: 2, arbitrary: fc.tuple(key, comment).map(([k, c]) => `[${k}]${c}`) },
      { weight: 1, arbitrary: key.map((k) => `[[${k}]]`) },
      { weight: 1, arbitrary: fc.constantFrom('', '# comment [x]', '   ', 'junk', 'k =', '[a', 'k = "open') },
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const doc = lines.join(eol);
        let reference: unknown;
        try {
          reference = parseToml(doc);
        } catch {
          reference = undefined;
        }
        try {
          const entries = scanToml(doc, 'doc.toml');
          for (const entry of entries) {
            if (reference === undefined || entry.kind !== 'string' || entry.path.includes('[]')) continue;
            const value = entry.path.reduce<unknown>((acc, key) => (acc as Record<string, unknown>)?.[key], reference);
            expect(value).toBe(tomlValueOf(doc.slice(entry.start, entry.end)));
          }
        } catch (err) {
          if (!isCutterError(err)) throw err;
          expect(isCutterError(err, 'CUTTER_BAD_INPUT'), String(err)).toBe(true);
          expect(reference, `rejected a document the parser accepts: ${JSON.stringify(doc)}`).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
  });
});
