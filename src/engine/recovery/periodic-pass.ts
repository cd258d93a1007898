/**
 * Work done at start and then every `intervalMs` (recovery, retention): a call while a pass is under way shares
 * it rather than starting a second, and the timer never keeps the process alive.
 */
export class PeriodicPass<T> {
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<T> | undefined;

  /** `pass` must not reject: each one logs its own problems. */
  constructor(
    private readonly pass: () => Promise<T>,
    private readonly intervalMs: number,
  ) {}

  /** A first pass now, then one every `intervalMs`; resolves with the first. */
  start(): Promise<T> {
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.now(), this.intervalMs);
      this.#timer.unref();
    }
    return this.now();
  }

  now(): Promise<T> {
    this.#pass ??= this.pass().finally(() => (this.#pass = undefined));
    return this.#pass;
  }

  /** Stops the timer and waits for the pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pass;
  }
}
