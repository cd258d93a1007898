import { InMemoryRunStore } from "../../src/engine/journal/in-memory-run-journal.ts";
import { runStoreContract } from "./run-journal.case.ts";

runStoreContract("InMemoryRunStore", async () => new InMemoryRunStore());
