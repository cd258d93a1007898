import { describe, expectTypeOf, test } from "vitest";
import {
  cancelRun,
  resumeRun,
  retryRun,
  WorkflowCancelledError,
  type RunControlRefusal,
  type RunControlResult,
} from "../../src/index.ts";
import type { RunSnapshot } from "../../src/engine/journal/run-snapshot.ts";

describe("run control's public types", () => {
  test("a result either changed the run, or says why not with a stable code", () => {
    expectTypeOf(cancelRun).returns.resolves.toEqualTypeOf<RunControlResult>();
    const result = {} as RunControlResult;
    if (result.changed) {
      expectTypeOf(result.run).toEqualTypeOf<RunSnapshot>();
    } else {
      expectTypeOf(result.code).toEqualTypeOf<RunControlRefusal>();
      expectTypeOf(result.run).toEqualTypeOf<RunSnapshot | null>();
    }
    expectTypeOf<"RUN_ALREADY_ENDED">().toExtend<RunControlRefusal>();
  });

  test("retry and resume hand back the reopened run's end", () => {
    expectTypeOf(retryRun).returns.resolves.toHaveProperty("changed");
    expectTypeOf(resumeRun).parameter(0).toEqualTypeOf<string>();
  });

  test("the cancelled member carries who and why", () => {
    expectTypeOf<WorkflowCancelledError["reason"]>().toEqualTypeOf<string | null>();
    expectTypeOf<WorkflowCancelledError["cancelledBy"]>().toEqualTypeOf<string>();
    expectTypeOf<WorkflowCancelledError["code"]>().toEqualTypeOf<"RUN_CANCELLED">();
  });
});
