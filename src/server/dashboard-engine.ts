// What the dashboard needs from the workflow engine: enqueue, retry, cancel, and its live events.

import type { EngineEvents, NewTask, TaskRecord } from '../workflow/types.js';

export interface DashboardEngine {
  enqueue(task: NewTask): Promise<TaskRecord>;
  retry(taskId: string, actor?: string): Promise<TaskRecord>;
  cancel(taskId: string, actor?: string): Promise<TaskRecord>;
  /** Look for runnable work now (a task woken in the store); engines fed by a job queue need no nudge. */
  wake?(): void;
  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void;
}
