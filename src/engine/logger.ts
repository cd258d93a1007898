/** The slice of a pino-style logger the engine writes to; pass a pino instance or anything shaped like it. */
export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Writes warnings and errors to stderr as one JSON line each; drops info. */
export const consoleLogger: Logger = {
  info() {},
  warn: (details, message) => console.warn(JSON.stringify({ level: "warn", msg: message, ...details })),
  error: (details, message) => console.error(JSON.stringify({ level: "error", msg: message, ...details })),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
