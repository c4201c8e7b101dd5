// Judges a commit's required checks: every configured context must be green; a red one is named, a missing one waits.

/** A commit status as the combined-status view reports it (the newest per context). */
export interface StatusView {
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
}

/** A check run of the commit (several with one name after re-runs: the highest id is the newest). */
export interface CheckRunView {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
}

export interface ChecksVerdict {
  state: 'green' | 'pending' | 'red';
  /** Red contexts with what they reported, e.g. `ci/test (failure)`. */
  failing: string[];
  /** Contexts still running or not reported yet (`… (not reported)`). */
  pending: string[];
  passed: string[];
}

/** Conclusions GitHub's branch protection accepts as passing. */
const PASSING = new Set(['success', 'neutral', 'skipped']);

type One = { state: 'green' | 'pending' | 'red'; said: string };

function judgeStatus(s: StatusView): One {
  if (s.state === 'success') return { state: 'green', said: 'success' };
  if (s.state === 'pending') return { state: 'pending', said: 'pending' };
  return { state: 'red', said: s.state };
}

function judgeRun(r: CheckRunView): One {
  if (r.status !== 'completed') return { state: 'pending', said: r.status };
  const conclusion = r.conclusion ?? 'unknown';
  return PASSING.has(conclusion) ? { state: 'green', said: conclusion } : { state: 'red', said: conclusion };
}

/** Red wins over pending, pending over green: a context reported both as a status and a check run must pass both. */
export function judgeRequiredChecks(
  required: readonly string[],
  statuses: readonly StatusView[],
  checkRuns: readonly CheckRunView[],
): ChecksVerdict {
  const newestRun = new Map<string, CheckRunView>();
  for (const r of checkRuns) {
    const seen = newestRun.get(r.name);
    if (!seen || r.id > seen.id) newestRun.set(r.name, r);
  }
  const byContext = new Map<string, StatusView>();
  for (const s of statuses) byContext.set(s.context, s);
  const verdict: ChecksVerdict = { state: 'green', failing: [], pending: [], passed: [] };
  for (const context of [...new Set(required)]) {
    const views: One[] = [];
    const status = byContext.get(context);
    if (status) views.push(judgeStatus(status));
    const run = newestRun.get(context);
    if (run) views.push(judgeRun(run));
    const red = views.find((v) => v.state === 'red');
    const pending = views.find((v) => v.state === 'pending');
    if (red) verdict.failing.push(`${context} (${red.said})`);
    else if (views.length === 0) verdict.pending.push(`${context} (not reported)`);
    else if (pending) verdict.pending.push(`${context} (${pending.said})`);
    else verdict.passed.push(context);
  }
  verdict.state = verdict.failing.length > 0 ? 'red' : verdict.pending.length > 0 ? 'pending' : 'green';
  return verdict;
}
