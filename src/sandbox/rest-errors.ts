// GitHub-shaped REST errors: `{ message, documentation_url }`, plus `errors` and `status` for validation failures.

export const DOCS = 'https://docs.github.com/rest';

export interface FieldError {
  resource: string;
  field?: string;
  code: string;
  message?: string;
}

/** Thrown by route handlers; the server turns it into GitHub's error body and status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: DOCS,
      status: String(this.status),
    };
  }
}

export const notFound = () => new HttpError(404, 'Not Found');
export const unprocessable = (message: string, errors?: FieldError[]) => new HttpError(422, message, errors);
export const badRequest = (message: string) => new HttpError(400, message);
