import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeChunks, writeJson } from './write-out.js';

/** A real Writable with a tiny buffer whose reader is slow, so every write meets backpressure. */
function slowSink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      setImmediate(done);
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

describe('writeChunks', () => {
  it('writes every chunk in order through backpressure, multi-byte characters intact', async () => {
    const sink = slowSink();
    const chunks = Array.from({ length: 200 }, (_, i) => `${i}: café 😀\n`);
    await writeChunks(chunks, sink.stream);
    expect(sink.text()).toBe(chunks.join(''));
  });

  it('streams a JSON object that parses back to the same value', async () => {
    const sink = slowSink();
    const value = { dryRun: true, causes: Array.from({ length: 3000 }, (_, i) => ({ hash: String(i) })), notes: 'x' };
    await writeJson(value, sink.stream);
    expect(sink.text()).toBe(`${JSON.stringify(value)}\n`);
  });

  it('ends quietly when the reader closed the pipe (EPIPE), without writing the rest', async () => {
    // A reader that exits without reading: its end of the pipe is closed before the first write.
    const reader = spawn(process.execPath, ['-e', ''], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => reader.on('close', resolve));
    let produced = 0;
    function* endless(): Generator<string> {
      // Far more than a pipe holds: the writer must stop at the broken pipe instead of producing all of it.
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield 'x'.repeat(1024);
      }
    }
    await exited;
    await expect(writeChunks(endless(), reader.stdin)).resolves.toBeUndefined();
    expect(produced).toBeLessThan(100_000);
  }, 30_000);

  it('rejects on any other stream error', async () => {
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
      },
    });
    await expect(writeChunks(['a', 'b'], failing)).rejects.toThrow('disk full');
  });
});
