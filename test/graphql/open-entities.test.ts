/** The start-up warning about entities anyone may use: only in production, naming exactly the open ones. */
import { describe, expect, test } from "vitest";
import { openEntities, warnOfOpenEntities } from "../../src/graphql/open-entities.ts";
import type { Logger } from "../../src/index.ts";
import { entities } from "../fixtures/access-entities.ts";

function recordingLogger(): Logger & { warnings: Array<{ details: object; message: string }> } {
  const warnings: Array<{ details: object; message: string }> = [];
  return { warnings, info() {}, error() {}, warn: (details, message) => warnings.push({ details, message }) };
}

describe("open entities", () => {
  test("are the entities without access rules", () => {
    expect(openEntities(entities)).toEqual(["memo"]);
  });

  test("are named in one warning when NODE_ENV is production", () => {
    const logger = recordingLogger();
    warnOfOpenEntities(entities, logger, "production");
    expect(logger.warnings).toEqual([
      { details: { entities: ["memo"] }, message: expect.stringMatching(/open to every caller: memo;/) },
    ]);
  });

  test("raise no warning outside production, nor when every entity has rules", () => {
    const logger = recordingLogger();
    warnOfOpenEntities(entities, logger, "development");
    warnOfOpenEntities(entities, logger, undefined);
    warnOfOpenEntities(entities.slice(0, 2), logger, "production");
    expect(logger.warnings).toEqual([]);
  });
});
