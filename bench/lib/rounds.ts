// Runs competing tools in interleaved rounds (warm-up first), so load on a shared machine hits all of them alike.

export interface Sample {
  ms: number;
  /** Set when the run failed; a failed tool is not run again in later rounds. */
  error?: string;
  /** Set when the run hit its time limit: `ms` is a lower bound and the contender is not run again. */
  timedOut?: boolean;
}

export interface Contender<S extends Sample> {
  name: string;
  run(): Promise<S>;
}

export interface RoundsPlan {
  /** Timed rounds after the warm-up. */
  rounds: number;
  /**
   * A contender whose warm-up took longer than this runs only once: its warm-up becomes its single sample
   * (the process start-up is then a rounding error and the run budget stays within minutes).
   */
  singleRunAboveMs?: number;
}

export interface ContenderSamples<S extends Sample> {
  samples: S[];
  /** Why this contender has fewer samples than planned, if it does. */
  note?: string;
}

/** Warm up every contender once, then run `rounds` rounds of each in turn. */
export async function runRounds<S extends Sample>(
  contenders: readonly Contender<S>[],
  plan: RoundsPlan,
  progress: (line: string) => void = () => {},
): Promise<Map<string, ContenderSamples<S>>> {
  const results = new Map<string, ContenderSamples<S>>();
  const active = new Set<string>();
  for (const contender of contenders) {
    const warm = await contender.run();
    progress(`warm-up ${contender.name}: ${Math.round(warm.ms)} ms${warm.error ? ` FAILED: ${warm.error}` : ''}`);
    if (warm.error) {
      results.set(contender.name, { samples: [warm], note: 'failed on warm-up' });
    } else if (warm.timedOut) {
      results.set(contender.name, {
        samples: [warm],
        note: `stopped at the time limit after ${Math.round(warm.ms / 1000)} s: a lower bound`,
      });
    } else if (plan.singleRunAboveMs !== undefined && warm.ms > plan.singleRunAboveMs) {
      results.set(contender.name, {
        samples: [warm],
        note: `single run: warm-up took ${Math.round(warm.ms / 1000)} s (> ${Math.round(plan.singleRunAboveMs / 1000)} s)`,
      });
    } else {
      results.set(contender.name, { samples: [] });
      active.add(contender.name);
    }
  }
  for (let round = 1; round <= plan.rounds; round += 1) {
    for (const contender of contenders) {
      if (!active.has(contender.name)) continue;
      const sample = await contender.run();
      const entry = results.get(contender.name)!;
      entry.samples.push(sample);
      if (sample.error) {
        active.delete(contender.name);
        entry.note = `failed in round ${round}`;
      } else if (sample.timedOut) {
        active.delete(contender.name);
        entry.note = `stopped at the time limit in round ${round}`;
      }
    }
    progress(`round ${round}/${plan.rounds} done`);
  }
  return results;
}
