// Writes command output to stdout and waits until it is flushed, so large JSON is never cut off by exit.
import { jsonChunks } from './json-chunks.js';

/** True for the error a write gets when the reading end of the pipe has gone (`cutter … | head`). */
export function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * Resolves once `text` is flushed. When the reader has closed the pipe the output is simply not wanted any more:
 * that resolves too, quietly (see `exitQuietlyOnBrokenPipe`).
 */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err && !isBrokenPipe(err) ? reject(err) : resolve()));
  });
}

/**
 * Writes `chunks` one after the other, waiting for the stream to drain when its buffer is full, and resolves once
 * the last one is flushed: a large output is streamed, never held whole. A reader that closed the pipe (EPIPE)
 * ends the writing quietly, like `writeOut`; any other stream error rejects.
 */
export async function writeChunks(
  chunks: Iterable<string | Uint8Array>,
  stream: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  let failure: Error | null = null;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  stream.on('error', onError);
  try {
    let last: Promise<void> = Promise.resolve();
    for (const chunk of chunks) {
      if (failure !== null || isDestroyed(stream)) break;
      if (chunk.length === 0) continue;
      let fits = true;
      last = new Promise((resolve) => {
        fits = stream.write(chunk, (err) => {
          if (err) onError(err);
          resolve();
        });
      });
      if (!fits) await drained(stream);
    }
    if (failure === null && !isDestroyed(stream)) await last;
  } finally {
    stream.off('error', onError);
  }
  if (failure !== null && !isBrokenPipe(failure)) throw failure;
}

/** One JSON object and a line feed, streamed in pieces (byte-identical to `JSON.stringify(value)` + `\n`). */
export function writeJson(value: Record<string, unknown>, stream?: NodeJS.WritableStream): Promise<void> {
  function* withNewline(): Generator<string | Uint8Array, void, undefined> {
    yield* jsonChunks(value);
    yield '\n';
  }
  return writeChunks(withNewline(), stream);
}

function isDestroyed(stream: NodeJS.WritableStream): boolean {
  return (stream as { destroyed?: boolean }).destroyed === true;
}

/** Resolves when the stream can take more, or can take nothing any more (closed or failed). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * `cutter … | head` closes the pipe early: end quietly with status 0, like the reader asked, instead of crashing
 * on the stream's unhandled EPIPE `error` event. Any other stream error is still thrown.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err) => {
    if (!isBrokenPipe(err)) throw err;
    process.exit(0);
  });
}
