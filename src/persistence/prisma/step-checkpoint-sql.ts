import type { PrismaProvider } from "./prisma-provider.ts";
import { decodeJournalValue, encodeJournalValue } from "../run-journal-json.ts";

/** The framework table `generatePrismaSchema` adds to every app (model `SagaqlStepCheckpoint`). */
export const STEP_CHECKPOINT_TABLE = "sagaql_step_checkpoints";

/** The raw-SQL surface of a Prisma client or interactive-transaction client. */
export interface RawSqlClient {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
}

/**
 * Statements of the exactly-once database steps, per provider. The insert does nothing on a duplicate key rather
 * than failing: a PostgreSQL error would abort the step's transaction, and "nothing inserted" already says that a
 * duplicate execution won. On PostgreSQL the insert waits for a concurrent inserter of the same key to finish, so
 * of two executions exactly one inserts.
 */
export class StepCheckpointSql {
  readonly #insert: string;
  readonly #select: string;

  constructor(provider: PrismaProvider) {
    const [a, b, c] = provider === "postgresql" ? ["$1", "$2", "$3"] : ["?", "?", "?"];
    this.#insert = `INSERT INTO ${STEP_CHECKPOINT_TABLE} (run_id, step, output) VALUES (${a}, ${b}, ${c}) ON CONFLICT (run_id, step) DO NOTHING`;
    this.#select = `SELECT output FROM ${STEP_CHECKPOINT_TABLE} WHERE run_id = ${a} AND step = ${b}`;
  }

  async write(client: RawSqlClient, runId: string, step: string, output: unknown): Promise<boolean> {
    const text = encodeJournalValue(output, `the checkpoint of step "${step}" (run ${runId})`) ?? "null";
    return (await withTableHint(client.$executeRawUnsafe(this.#insert, runId, step, text))) > 0;
  }

  async read(client: RawSqlClient, runId: string, step: string): Promise<{ output: unknown } | null> {
    const rows = await withTableHint(client.$queryRawUnsafe<Array<{ output: string }>>(this.#select, runId, step));
    return rows[0] ? { output: decodeJournalValue(rows[0].output) } : null;
  }
}

/** A missing table means the app's migrations predate exactly-once steps: say how to fix it. */
async function withTableHint<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!message.includes(STEP_CHECKPOINT_TABLE)) throw error;
    throw new Error(
      `The app database has no usable ${STEP_CHECKPOINT_TABLE} table (${message.split("\n").at(-1)}). ` +
        "Regenerate the Prisma schema and migrations (npm run db:generate adds the SagaqlStepCheckpoint model) and apply them.",
      { cause: error },
    );
  }
}
