import { describe, expectTypeOf, it } from "vitest";
import { defineConfig, entity, string, type SagaqlApp, type SagaqlConfig, type ServicesOf } from "../../src/index.ts";
import type { createApp } from "../../src/index.ts";

class Flights {
  book(destination: string): string {
    return destination;
  }
}

const trip = entity("trip", { destination: string });

describe("defineConfig", () => {
  it("returns the config as given, keeping its services' types for ServicesOf", () => {
    const config = defineConfig({ entities: [trip], services: { flights: new Flights() } });
    expectTypeOf<ServicesOf<typeof config>>().toEqualTypeOf<{ flights: Flights }>();
    expectTypeOf(config).toMatchTypeOf<SagaqlConfig>();
  });

  it("takes the services as a function of the start context, typed the same", () => {
    const config = defineConfig({
      entities: { trip },
      services: ({ dataDir }) => {
        expectTypeOf(dataDir).toEqualTypeOf<string>();
        return { flights: new Flights() };
      },
    });
    expectTypeOf<ServicesOf<typeof config>>().toEqualTypeOf<{ flights: Flights }>();
  });

  it("refuses options it does not know and entities that are not entities", () => {
    // @ts-expect-error: not an option
    defineConfig({ entities: [trip], prismaFolder: "db" });
    // @ts-expect-error: entities must be entity definitions
    defineConfig({ entities: ["trip"] });
  });

  it("gives createApp's app the config's services", () => {
    type App = Awaited<ReturnType<typeof createApp<readonly [typeof trip], { flights: Flights }>>>;
    expectTypeOf<App>().toEqualTypeOf<SagaqlApp<{ flights: Flights }>>();
    expectTypeOf<App["services"]["flights"]>().toEqualTypeOf<Flights>();
  });
});
