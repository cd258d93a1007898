import { ServiceNotFoundError } from "../errors.ts";

/**
 * The services `ctx.resolve(name)` knows, by name. Augment it to type them:
 *
 *     declare module "sagaql" { interface Services { payments: PaymentService } }
 */
export interface Services {}

export type ServiceMap = Readonly<Record<string, unknown>>;

/** Looks services up by name, with an error that names the missing one and the ones that exist. */
export class ServiceRegistry {
  readonly #services: Map<string, unknown>;

  constructor(services: ServiceMap = {}) {
    this.#services = new Map(Object.entries(services));
  }

  register(name: string, service: unknown): this {
    this.#services.set(name, service);
    return this;
  }

  resolve(name: string): unknown {
    if (!this.#services.has(name)) throw new ServiceNotFoundError(name, [...this.#services.keys()]);
    return this.#services.get(name);
  }

  static from(services: ServiceRegistry | ServiceMap | undefined): ServiceRegistry {
    return services instanceof ServiceRegistry ? services : new ServiceRegistry(services);
  }
}
