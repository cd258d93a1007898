import { describe, expect, it } from "vitest";
import * as sagaql from "../../src/index.ts";
import { CliError } from "../../src/cli/cli-error.ts";
import { PrismaCliError, PrismaConfigMissingError } from "../../src/tooling/run-prisma-cli.ts";

type ErrorClass = abstract new (...args: never[]) => Error;
const errorClasses = Object.entries(sagaql as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === "function" && (entry[1] as { prototype?: unknown }).prototype instanceof Error,
);

describe("one error root", () => {
  it("exports error classes, and every one of them extends SagaqlError", () => {
    expect(errorClasses.length).toBeGreaterThan(30);
    const outside = errorClasses
      .filter(
        ([, errorClass]) => errorClass !== sagaql.SagaqlError && !(errorClass.prototype instanceof sagaql.SagaqlError),
      )
      .map(([name]) => name);
    expect(outside).toEqual([]);
  });

  it("the CLI's and the Prisma tooling's errors extend it too", () => {
    for (const errorClass of [CliError, PrismaCliError, PrismaConfigMissingError])
      expect(errorClass.prototype).toBeInstanceOf(sagaql.SagaqlError);
  });

  it("each error carries its stable code through the root", () => {
    const errors: sagaql.SagaqlError[] = [
      new sagaql.NonRetryableError("declined"),
      new sagaql.UniqueConstraintError("product", ["sku"]),
      new sagaql.AppConfigError("bad PORT"),
      new sagaql.JournalEncodingError("a step result", new Error("cycle")),
      new CliError("no config"),
    ];
    expect(errors.map((error) => error.code)).toEqual([
      "NON_RETRYABLE",
      "UNIQUE_CONSTRAINT",
      "APP_CONFIG",
      "JOURNAL_ENCODING",
      "SAGAQL_CLI",
    ]);
  });
});
