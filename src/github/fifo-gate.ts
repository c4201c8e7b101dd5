// A counting semaphore that lets its holders in strictly in arrival order: GitHub request lanes and write slots.

/** At most `size` holders at once; the others wait in order, and a freed slot passes straight to the next in line. */
export class FifoGate {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async enter(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  leave(): void {
    const next = this.queue.shift();
    // Handed on without decrementing, so nobody arriving meanwhile overtakes the one in line.
    if (next) next();
    else this.active--;
  }
}
