/** A one-shot gate: `wait()` resolves once `open()` was called (before or after). */
export class Latch<T = void> {
  #open!: (value: T) => void;
  readonly #promise: Promise<T>;
  #isOpen = false;

  constructor() {
    this.#promise = new Promise<T>((resolve) => {
      this.#open = resolve;
    });
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  open(value: T): void {
    this.#isOpen = true;
    this.#open(value);
  }

  wait(): Promise<T> {
    return this.#promise;
  }
}
