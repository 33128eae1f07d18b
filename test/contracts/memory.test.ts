// The JobStore and EventBus contracts against the embedded (memory) implementations.
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { eventBusContract } from "./event-bus.contract.ts";
import { jobStoreContract } from "./job-store.contract.ts";

jobStoreContract("memory", async () => new MemoryJobStoreImpl());
eventBusContract("memory", async () => new MemoryEventBusImpl(), async () => {});
