import type { RunEventFeed } from "../engine/journal/run-event-feed.ts";
import type { Builder } from "./builder.ts";
import { notFound } from "./crud-errors.ts";
import type { RunRef } from "./runs.ts";
import type { RunVisibility } from "./run-visibility.ts";
import { watchRun, type WatchedJournal } from "./watch-run.ts";

export interface RunSubscriptionOptions {
  /** Tells the subscription when its run has new journal events; see `PostgresRunEventFeed`, `SqliteRunEventFeed`. */
  feed: RunEventFeed;
  /** The journal the snapshots are read from: the runtime's durable run journal. */
  store: WatchedJournal;
  /** Who may watch which run; a run the caller may not see is refused as unknown. @default every run */
  visibility?: RunVisibility;
}

/**
 * `subscription { workflowRunUpdated(id) }`: the run now, then after each of its transitions, until it is
 * COMPLETED, COMPENSATED or FAILED, when the stream ends. Over HTTP it is served as server-sent events (POST with
 * `Accept: text/event-stream`). An unknown id is a NOT_FOUND error instead of a stream.
 */
export function addRunSubscription(builder: Builder, run: RunRef, options: RunSubscriptionOptions): void {
  builder.subscriptionType({});
  builder.subscriptionField("workflowRunUpdated", (t) =>
    t.field({
      type: run,
      description:
        "The run's snapshot now, then a new one after each transition; the stream ends once the run has finished.",
      args: { id: t.arg.id({ required: true }) },
      subscribe: async (_root, args, context) => {
        const id = String(args.id);
        if (options.visibility) {
          const journaled = await options.store.getJournaledRun(id);
          if (!journaled || !(await options.visibility.canSee(journaled.run, context.request)))
            throw notFound("WorkflowRun", id);
        }
        const watch = await watchRun({ store: options.store, feed: options.feed, runId: id });
        if (!watch) throw notFound("WorkflowRun", id);
        return watch;
      },
      resolve: (snapshot) => snapshot,
    }),
  );
}
