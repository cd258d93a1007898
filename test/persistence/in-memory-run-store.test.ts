import { InMemoryRunStore } from "../../src/engine/journal/in-memory-run-store.ts";
import { runStoreContract } from "./run-store.case.ts";

runStoreContract("InMemoryRunStore", async () => new InMemoryRunStore());
