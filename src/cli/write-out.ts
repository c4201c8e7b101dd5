// Writes command output to stdout and waits until it is flushed, so large JSON is never cut off by exit.

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
 * `cutter … | head` closes the pipe early: end quietly with status 0, like the reader asked, instead of crashing
 * on the stream's unhandled EPIPE `error` event. Any other stream error is still thrown.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err) => {
    if (!isBrokenPipe(err)) throw err;
    process.exit(0);
  });
}
