import type { AuthorizeRule, RequestContext } from "../entity/define-action.ts";
import {
  actionScope,
  bothScopes,
  NO_ROWS,
  operationScope,
  ALL_ROWS,
  type AccessScope,
} from "../action/access-scope.ts";
import type { AnyEntity } from "../action/run-action.ts";
import { bothWhere } from "../action/rule-where.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { RunSnapshot } from "../engine/journal/run-snapshot.ts";
import {
  isVisibleRun,
  type ListRunsFilter,
  type RunJournal,
  type RunVisibilityFilter,
} from "../engine/journal/run-journal.ts";

/*
 * A caller sees the runs of the actions they may run, on the rows they may read: the action's rules (the
 * entity's `access({ actions })` and the action's own `authorize`) and the entity's read rule, for this caller.
 * A run of a workflow no entity action defines, or of an entity without rules, stays visible.
 */

/** Resource ids of one entity a list reads for a caller at most; past it, runs are checked one page at a time. */
const MAX_VISIBLE_IDS = 10_000;
/** The newest runs a list with per-run checks looks through at most, however few of them the caller may see. */
const MAX_SCANNED_RUNS = 5_000;

interface RunDelegate {
  findMany(args: Row): Promise<Row[]>;
}

interface WorkflowAction {
  entity: AnyEntity;
  actionName: string;
  hasResource: boolean;
  authorize: AuthorizeRule<never> | undefined;
  delegate: RunDelegate;
}

/** For one caller and one workflow: the rows its runs may be on, and whether each run needs its own check. */
interface WorkflowPlan {
  action: WorkflowAction;
  scope: AccessScope;
}

export interface RunVisibility {
  /** Whether this caller may see this run. */
  canSee(run: RunSnapshot, request: RequestContext): Promise<boolean>;
  /** The newest runs this caller may see, at most `filter.take` (paging counts only those). */
  list(filter: ListRunsFilter, request: RequestContext): Promise<RunSnapshot[]>;
}

/** `delegates` reads an entity's rows (the Prisma delegate); only ids are selected. */
export function runVisibility(
  entities: readonly AnyEntity[],
  delegateOf: (entity: AnyEntity) => RunDelegate,
  store: RunJournal,
): RunVisibility {
  const actions = workflowActions(entities, delegateOf);
  return {
    async canSee(run, request) {
      const action = actions.get(run.workflow);
      if (!action) return true;
      const plan = await planFor(action, request);
      return (await visibleAmong([run], new Map([[run.workflow, plan]]), request)).length === 1;
    },
    async list(filter, request) {
      const take = filter.take ?? 50;
      const chosen =
        filter.workflow === undefined
          ? [...actions.values()]
          : [actions.get(filter.workflow)].filter((a) => a !== undefined);
      const plans = new Map<string, WorkflowPlan>();
      for (const action of chosen)
        plans.set(action.entity.actionDefinitions[action.actionName]!.workflow.name, await planFor(action, request));
      const { visible, checked } = await storeFilter(plans);
      // Filtered again here: a RunJournal of an app's own that ignores `visible` must not list every run.
      const listed = async (page: ListRunsFilter) =>
        (await store.listRuns(page)).filter((run) => isVisibleRun(run, visible));
      if (checked.size === 0 || take === 0) return listed({ ...filter, take, visible });
      // Rows the journal cannot judge are checked here, so a page is counted among the visible runs only.
      const skip = filter.skip ?? 0;
      const pages = await scanned(listed, { ...filter, skip: 0, visible }, skip + take, (runs) =>
        visibleAmong(runs, checked, request),
      );
      return pages.slice(skip);
    },
  };
}

function workflowActions(
  entities: readonly AnyEntity[],
  delegateOf: (entity: AnyEntity) => RunDelegate,
): Map<string, WorkflowAction> {
  const actions = new Map<string, WorkflowAction>();
  for (const entity of entities) {
    for (const [actionName, definition] of Object.entries(entity.actionDefinitions)) {
      const authorize = definition.authorize as AuthorizeRule<never> | undefined;
      actions.set(definition.workflow.name, {
        entity,
        actionName,
        hasResource: definition.hasResource,
        authorize,
        delegate: delegateOf(entity),
      });
    }
  }
  return actions;
}

/** A filter on an action without a row has nothing to match: it refuses, as running the action would. */
async function planFor(action: WorkflowAction, request: RequestContext): Promise<WorkflowPlan> {
  const runScope = await actionScope(action.entity, action.actionName, request);
  if (!action.hasResource) return { action, scope: runScope.kind === "all" ? ALL_ROWS : NO_ROWS };
  return { action, scope: bothScopes(runScope, await operationScope(action.entity, "read", request)) };
}

/**
 * What the journal's query can leave out by itself: hidden workflows, and for row-filtered ones the caller's
 * readable ids. Workflows with an `authorize` rule (it judges each run's input) or too many readable rows are left
 * for `checked`, one page of runs at a time.
 */
async function storeFilter(
  plans: Map<string, WorkflowPlan>,
): Promise<{ visible: RunVisibilityFilter; checked: Map<string, WorkflowPlan> }> {
  const hiddenWorkflows: string[] = [];
  const resourceIds: Record<string, string[]> = {};
  const checked = new Map<string, WorkflowPlan>();
  // Several actions of one entity usually share one filter: its ids are read once.
  const readIds = new Map<string, Promise<Row[]>>();
  for (const [workflow, plan] of plans) {
    if (plan.scope.kind === "none") hiddenWorkflows.push(workflow);
    else if (plan.action.authorize) checked.set(workflow, plan);
    else if (plan.scope.kind === "rows") {
      const { where } = plan.scope;
      const key = `${plan.action.entity.name} ${JSON.stringify(where)}`;
      if (!readIds.has(key))
        readIds.set(key, plan.action.delegate.findMany({ where, select: { id: true }, take: MAX_VISIBLE_IDS + 1 }));
      const rows = await readIds.get(key)!;
      if (rows.length > MAX_VISIBLE_IDS) checked.set(workflow, plan);
      else resourceIds[workflow] = rows.map((row) => String(row.id));
    }
  }
  return { visible: { hiddenWorkflows, resourceIds }, checked };
}

/** Pages through the newest runs, each page larger than the last, until `take` visible ones or the end. */
async function scanned(
  list: (filter: ListRunsFilter) => Promise<RunSnapshot[]>,
  filter: ListRunsFilter,
  take: number,
  keep: (runs: RunSnapshot[]) => Promise<RunSnapshot[]>,
): Promise<RunSnapshot[]> {
  for (let page = Math.max(take, 50); ; page = Math.min(page * 4, MAX_SCANNED_RUNS)) {
    const runs = await list({ ...filter, take: page });
    const kept = await keep(runs);
    if (kept.length >= take || runs.length < page || page >= MAX_SCANNED_RUNS) return kept.slice(0, take);
  }
}

/**
 * The runs among `runs` the plans let through; runs of workflows without a plan pass. One query per workflow
 * with a row filter, for all of its runs at once.
 */
async function visibleAmong(
  runs: RunSnapshot[],
  plans: ReadonlyMap<string, WorkflowPlan>,
  request: RequestContext,
): Promise<RunSnapshot[]> {
  const passed: RunSnapshot[] = [];
  for (const run of runs) {
    const plan = plans.get(run.workflow);
    if (!plan) passed.push(run);
    else if (plan.scope.kind !== "none" && (await authorized(plan.action, run, request))) passed.push(run);
  }
  const readable = new Map<string, Set<string>>();
  for (const [workflow, plan] of plans) {
    if (plan.scope.kind !== "rows") continue;
    const ids = [
      ...new Set(
        passed.filter((run) => run.workflow === workflow && run.resourceId !== null).map((run) => run.resourceId!),
      ),
    ];
    const rows =
      ids.length === 0
        ? []
        : await plan.action.delegate.findMany({
            where: bothWhere({ id: { in: ids } }, plan.scope.where),
            select: { id: true },
          });
    readable.set(workflow, new Set(rows.map((row) => String(row.id))));
  }
  return passed.filter((run) => {
    const ids = readable.get(run.workflow);
    return ids === undefined || (run.resourceId !== null && ids.has(run.resourceId));
  });
}

async function authorized(action: WorkflowAction, run: RunSnapshot, request: RequestContext): Promise<boolean> {
  if (!action.authorize) return true;
  return (
    (await action.authorize({ request, input: run.input as never, resourceId: run.resourceId ?? undefined })) === true
  );
}
