import { NotJournalableError } from "../errors.ts";
import { journalProblem } from "./journal-problem.ts";

/** A journaled run's step result and shared data must come back from the journal as they went in. */
export function assertJournalable(stepName: string, result: unknown, data: Record<string, unknown>): void {
  const resultProblem = journalProblem(result, "its result");
  if (resultProblem) throw new NotJournalableError(stepName, "returned a value", resultProblem);
  const dataProblem = journalProblem(data, "ctx.data");
  if (dataProblem) throw new NotJournalableError(stepName, "left shared data", dataProblem);
}
