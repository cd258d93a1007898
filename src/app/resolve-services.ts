import type { Logger } from "../server/create-logger.ts";
import type { AppServices, ServicesContext, ServicesSetting } from "./define-config.ts";

/** The config's services: the object itself, or what its function returns (called once, here). */
export async function resolveServices<S extends AppServices>(
  setting: ServicesSetting<S> | undefined,
  context: ServicesContext,
): Promise<S> {
  if (setting === undefined) return {} as S;
  return typeof setting === "function" ? await setting(context) : setting;
}

/**
 * Closes every service that can be closed (`close()`, or `Symbol.asyncDispose`), in the reverse of their order
 * in the map, as resources opened later may depend on earlier ones. A failing one is logged; the rest still close.
 */
export async function closeServices(services: AppServices, logger: Logger): Promise<void> {
  for (const [name, service] of Object.entries(services).reverse()) {
    const close = closerOf(service);
    if (!close) continue;
    try {
      await close();
    } catch (error) {
      logger.error({ err: error, service: name }, "closing a service failed");
    }
  }
}

function closerOf(service: unknown): (() => unknown) | undefined {
  if (typeof service !== "object" || service === null) return undefined;
  const candidate = service as { close?: unknown; [Symbol.asyncDispose]?: unknown };
  if (typeof candidate.close === "function") return () => (candidate.close as () => unknown).call(service);
  const dispose = candidate[Symbol.asyncDispose];
  if (typeof dispose === "function") return () => (dispose as () => unknown).call(service);
  return undefined;
}
