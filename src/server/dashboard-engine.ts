// What the dashboard needs from the workflow engine: enqueue, retry, cancel, and its live events.

import type { EngineEvents, NewTask, TaskRecord } from '../workflow/types.js';

export interface DashboardEngine {
  enqueue(task: NewTask): Promise<TaskRecord>;
  retry(taskId: string, actor?: string): Promise<TaskRecord>;
  cancel(taskId: string, actor?: string): Promise<TaskRecord>;
  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void;
}
