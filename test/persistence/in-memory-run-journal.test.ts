import { InMemoryRunJournal } from "../../src/engine/journal/in-memory-run-journal.ts";
import { runJournalContract } from "./run-journal.case.ts";

runJournalContract("InMemoryRunJournal", async () => new InMemoryRunJournal());
