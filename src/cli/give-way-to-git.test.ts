import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./give-way-to-git.ts', import.meta.url));

/**
 * Runs `giveWayToGit` in a fresh Node process (priorities cannot be raised back, so never in the test's own), after
 * setting its threads to `startNice` and starting a `sleep` child; prints the nice values it ends with.
 */
function niceValuesAfter(startNice: number, env: Record<string, string> = {}) {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { setPriority } from 'node:os';
    import { spawn } from 'node:child_process';
    const nice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), ${startNice});
    const before = spawn('sleep', ['5']);
    const { giveWayToGit } = await import(${JSON.stringify(MODULE)});
    giveWayToGit();
    const after = spawn('sleep', ['5']);
    const childNice = (pid) => Number(readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
    const out = { threads: readdirSync('/proc/self/task').map(nice), before: childNice(before.pid), after: childNice(after.pid) };
    before.kill(); after.kill();
    console.log(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as { threads: number[]; before: number; after: number };
}

describe.runIf(process.platform === 'linux')('giveWayToGit', () => {
  it('makes every thread 10 nicer, and the children started after; a git started before keeps its priority', () => {
    const { threads, before, after } = niceValuesAfter(0);
    expect(threads.length).toBeGreaterThan(1);
    expect(new Set(threads)).toEqual(new Set([10]));
    expect(before).toBe(0);
    expect(after).toBe(10);
  });

  it('stops at 19 and never raises a priority', () => {
    expect(new Set(niceValuesAfter(15).threads)).toEqual(new Set([19]));
    expect(new Set(niceValuesAfter(19).threads)).toEqual(new Set([19]));
  });

  it('changes nothing with CUTTER_GIVE_WAY=0', () => {
    const { threads, after } = niceValuesAfter(0, { CUTTER_GIVE_WAY: '0' });
    expect(new Set(threads)).toEqual(new Set([0]));
    expect(after).toBe(0);
  });
});
