// A flow is one table of steps: defineFlow checks the table, select picks the step the data asks for.

import { CutterError } from '../core/errors.js';
import { describeShape, matchesShape, shapeProblem } from './shape.js';
import type { Flow, Step } from './types.js';

/** Declare a flow as one table a reader takes in at a glance; the first matching step (table order) runs. */
export function defineFlow<D = unknown>(name: string, steps: readonly Step<D>[]): Flow<D> {
  if (!name.trim()) throw new CutterError('CUTTER_BAD_INPUT', 'a flow needs a name');
  if (steps.length === 0) throw new CutterError('CUTTER_BAD_INPUT', `flow ${name} has no steps`);
  const names = new Set<string>();
  const shapes = new Map<string, string>();
  for (const step of steps) {
    if (!step.name?.trim()) throw new CutterError('CUTTER_BAD_INPUT', `flow ${name} has a step without a name`);
    if (names.has(step.name)) {
      throw new CutterError('CUTTER_BAD_INPUT', `flow ${name} has two steps named "${step.name}"`);
    }
    names.add(step.name);
    const problem = shapeProblem(step.when);
    if (problem) throw new CutterError('CUTTER_BAD_INPUT', `step "${step.name}" of flow ${name}: ${problem}`);
    if (typeof step.run !== 'function') {
      throw new CutterError('CUTTER_BAD_INPUT', `step "${step.name}" of flow ${name} has no run function`);
    }
    // Two steps with the same shape: the second could never run, which is always a mistake in the table.
    const described = describeShape(step.when);
    const twin = shapes.get(described);
    if (twin !== undefined) {
      throw new CutterError(
        'CUTTER_BAD_INPUT',
        `steps "${twin}" and "${step.name}" of flow ${name} have the same shape`,
        {
          hint: `"${step.name}" would never run; give it a condition of its own`,
        },
      );
    }
    shapes.set(described, step.name);
  }
  const table = Object.freeze([...steps]);
  return {
    name,
    steps: table,
    select(data) {
      return table.find((step) => matchesShape(data, step.when)) ?? null;
    },
    describe() {
      const width = Math.max(...table.map((s) => s.name.length));
      return table.map((s) => `${s.name.padEnd(width)}  when ${describeShape(s.when) || '(always)'}`).join('\n');
    },
  };
}
