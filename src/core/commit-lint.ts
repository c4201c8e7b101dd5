// Checks commit messages and PR titles against the configured Conventional Commits convention, with a hint per problem.
import { type BumpRulesOverrides, mergeBumpRules } from './bump-rules.js';
import { DEFAULT_NOTES_SECTIONS } from './notes.js';
import type { NotesSectionConfig } from './types.js';

export interface LintRules {
  /** Commit types a header may use, lower case. */
  types: readonly string[];
  /** Longest header accepted (commitlint's default is 100). */
  maxHeaderLength: number;
}

export interface LintProblem {
  rule:
    | 'header-format'
    | 'type-unknown'
    | 'type-case'
    | 'scope-format'
    | 'subject-empty'
    | 'subject-full-stop'
    | 'header-length'
    | 'body-separation'
    | 'breaking-footer'
    | 'fixup';
  message: string;
  hint: string;
}

export const DEFAULT_MAX_HEADER_LENGTH = 100;

/** The known types: every type of the bump rules (defaults merged with config) and of the notes sections. */
export function lintRulesFromConfig(config: {
  bump?: BumpRulesOverrides;
  notes?: { sections?: readonly NotesSectionConfig[] | undefined };
  maxHeaderLength?: number;
}): LintRules {
  const types = new Set(Object.keys(mergeBumpRules(config.bump ?? {}).types));
  for (const s of [...DEFAULT_NOTES_SECTIONS, ...(config.notes?.sections ?? [])]) {
    if (s.type !== 'breaking') types.add(s.type.toLowerCase());
  }
  return { types: [...types].sort(), maxHeaderLength: config.maxHeaderLength ?? DEFAULT_MAX_HEADER_LENGTH };
}

/** `type(scope)!: subject`, loose enough to name what is wrong instead of only saying "no match". */
const HEADER = /^(?<type>[A-Za-z][\w-]*)(?:\((?<scope>[^()]*)\))?(?<bang>!)?(?<colon>:?)(?<space>\s?)(?<subject>.*)$/;
const SCOPE = /^[a-z0-9][a-z0-9._-]*(?:[/,][a-z0-9][a-z0-9._-]*)*$/;
const GIT_GENERATED = /^(?:Merge (?:pull request|branch|remote-tracking branch|tag) |Revert ")/;
/** Footers that try to say "breaking change" but that tools will not read as one. */
const BREAKING_LIKE = /^breaking[ _-]?changes?\s*[:-]?/i;
const BREAKING_OK = /^BREAKING[ -]CHANGE: \S/;

/** The problems of one commit message (or PR title, which is a header alone); empty when it follows the convention. */
export function lintMessage(message: string, rules: LintRules): LintProblem[] {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  const header = (lines[0] ?? '').trim();
  if (GIT_GENERATED.test(header)) return [];
  const problems: LintProblem[] = [];
  const known = rules.types.join(', ');

  if (/^(?:fixup|squash|amend)! /.test(header)) {
    problems.push({
      rule: 'fixup',
      message: `"${header.slice(0, 40)}" is a fixup commit`,
      hint: 'squash it into the commit it fixes (git rebase -i --autosquash) before merging',
    });
    return problems;
  }

  const m = HEADER.exec(header);
  const g = m?.groups;
  if (!g || g['colon'] !== ':' || (g['space'] !== ' ' && g['subject'] !== '')) {
    problems.push({
      rule: 'header-format',
      message: header === '' ? 'the header is empty' : `"${truncate(header)}" is not "type(scope): subject"`,
      hint: `start with a type, an optional scope, a colon and a space, e.g. "feat(api): add paging" (types: ${known})`,
    });
  } else {
    const type = g['type'] ?? '';
    if (type !== type.toLowerCase()) {
      problems.push({
        rule: 'type-case',
        message: `type "${type}" is not lower case`,
        hint: `write "${type.toLowerCase()}"`,
      });
    }
    if (!rules.types.includes(type.toLowerCase())) {
      problems.push({
        rule: 'type-unknown',
        message: `type "${type}" is not one of the configured types`,
        hint: `use one of ${known}`,
      });
    }
    const scope = g['scope'];
    if (scope !== undefined && !SCOPE.test(scope)) {
      problems.push({
        rule: 'scope-format',
        message: scope === '' ? 'the scope is empty' : `scope "${scope}" is not lower-case words`,
        hint: 'a scope is lower case letters, digits, . _ - (several joined by / or ,), e.g. feat(cli): or fix(api,db):',
      });
    }
    const subject = g['subject'] ?? '';
    if (subject.trim() === '') {
      problems.push({
        rule: 'subject-empty',
        message: 'the subject is empty',
        hint: 'say what the change does after "type: "',
      });
    } else if (subject.endsWith('.')) {
      problems.push({
        rule: 'subject-full-stop',
        message: 'the subject ends with a full stop',
        hint: 'drop the final "."',
      });
    }
  }
  if (header.length > rules.maxHeaderLength) {
    problems.push({
      rule: 'header-length',
      message: `the header is ${header.length} characters long (at most ${rules.maxHeaderLength})`,
      hint: 'shorten the subject and move details into the body',
    });
  }
  if (lines.length > 1 && (lines[1] ?? '').trim() !== '') {
    problems.push({
      rule: 'body-separation',
      message: 'the body starts right under the header',
      hint: 'leave one blank line between the header and the body',
    });
  }
  for (const line of lines.slice(1)) {
    if (BREAKING_LIKE.test(line) && !BREAKING_OK.test(line)) {
      problems.push({
        rule: 'breaking-footer',
        message: `"${truncate(line)}" will not be read as a breaking change`,
        hint: 'write the footer exactly as "BREAKING CHANGE: <what breaks>" (upper case, colon, space, description)',
      });
    }
  }
  return problems;
}

function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
