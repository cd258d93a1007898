import type { ActionRuntime, AnyEntity } from "../action/run-action.ts";
import type { RunRecovery } from "../engine/recovery/run-recovery.ts";
import type { RunRetention } from "../engine/journal/run-retention.ts";
import type { Logger } from "../server/create-logger.ts";
import type { AppData } from "./open-app-data.ts";
import type { AppServices, RecoveryConfig, SagaqlConfig } from "./define-config.ts";
import { closeServices } from "./resolve-services.ts";
import { startRecovery, startRetention } from "./start-background.ts";

export interface AppLifecycleParts {
  data: AppData;
  runtime: ActionRuntime;
  services: AppServices;
  logger: Logger;
  entities: readonly AnyEntity[];
  recovery?: RecoveryConfig;
  onStart?: SagaqlConfig["onStart"];
}

/** Starts an app's background work once, and releases what it holds once, in order. */
export class AppLifecycle {
  recovery: RunRecovery | undefined;
  retention: RunRetention | undefined;
  #starting: Promise<void> | undefined;
  #releasing: Promise<void> | undefined;

  constructor(private readonly parts: AppLifecycleParts) {}

  /** `onStart`, then recovery (its first pass resumes what the last process left) and retention, in the background. */
  start(): Promise<void> {
    return (this.#starting ??= (async () => {
      const { data, runtime, services } = this.parts;
      await this.parts.onStart?.({ driver: data.database.driver, logger: this.parts.logger, services });
      this.recovery = startRecovery(runtime, data.store, this.parts.entities, this.parts.recovery);
      this.retention = startRetention(runtime, data.store, this.parts.recovery);
    })());
  }

  /** Nothing new starts (recovery, pruning), the services finish, then the data they wrote to closes. */
  release(): Promise<void> {
    return (this.#releasing ??= (async () => {
      await this.recovery?.stop();
      await this.retention?.stop();
      await closeServices(this.parts.services, this.parts.logger);
      await this.parts.data.close();
    })());
  }
}
