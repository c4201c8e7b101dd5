// Errors as values: a stable code, a one-line human message and a hint saying what to do next.

export type CutterErrorCode =
  | 'CUTTER_CONFIG_INVALID'
  | 'CUTTER_CONFIG_NOT_FOUND'
  | 'CUTTER_NOT_A_REPO'
  | 'CUTTER_EMPTY_REPO'
  | 'CUTTER_SHALLOW_CLONE'
  | 'CUTTER_GIT_FAILED'
  | 'CUTTER_INVALID_VERSION'
  | 'CUTTER_INVALID_TAG'
  | 'CUTTER_TAG_CONFLICT'
  | 'CUTTER_RELEASE_CONFLICT'
  | 'CUTTER_GITHUB_ERROR'
  | 'CUTTER_GITHUB_AUTH'
  | 'CUTTER_NOT_FOUND'
  | 'CUTTER_REFUSED'
  | 'CUTTER_BAD_INPUT'
  | 'CUTTER_TRANSIENT'
  | 'CUTTER_DEPLOY_FAILED'
  | 'CUTTER_NOTIFY_FAILED'
  | 'CUTTER_FROZEN'
  | 'CUTTER_STORE_FAILED'
  | 'CUTTER_NOT_SUPPORTED'
  | 'CUTTER_NO_PROGRESS'
  | 'CUTTER_STEP_TIMEOUT'
  | 'CUTTER_INTERNAL';

export class CutterError extends Error {
  readonly code: CutterErrorCode;
  readonly hint: string | undefined;
  /** Transient errors may be retried with backoff; permanent ones fail the step at once. */
  readonly transient: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: CutterErrorCode,
    message: string,
    options: { hint?: string; transient?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CutterError';
    this.code = code;
    this.hint = options.hint;
    this.transient = options.transient ?? false;
    this.details = options.details;
  }

  /** `CODE: message — hint`, the one line a user sees. */
  toLine(): string {
    return this.hint ? `${this.code}: ${this.message} — ${this.hint}` : `${this.code}: ${this.message}`;
  }

  toJSON(): { code: string; message: string; hint?: string; transient: boolean } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      transient: this.transient,
    };
  }
}

export function isCutterError(err: unknown, code?: CutterErrorCode): err is CutterError {
  return err instanceof CutterError && (code === undefined || err.code === code);
}
