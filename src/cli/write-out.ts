// Writes command output to stdout and waits until it is flushed, so large JSON is never cut off by exit.

export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
