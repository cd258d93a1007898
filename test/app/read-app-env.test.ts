import { describe, expect, it } from "vitest";
import { readServerConfig } from "../../src/server/server-config.ts";

const ROOT = "/srv/app";

describe("readServerConfig", () => {
  it("defaults to 127.0.0.1:4000 and a SQLite file under data/", () => {
    expect(readServerConfig({}, ROOT)).toEqual({ port: 4000, host: "127.0.0.1", dataDir: "/srv/app/data", databaseUrl: "file:/srv/app/data/checkout.db" });
  });

  it("takes PORT, HOST, DATA_DIR and a PostgreSQL DATABASE_URL as given", () => {
    const config = readServerConfig({ PORT: "0", HOST: "0.0.0.0", DATA_DIR: "/var/lib/sagaql", DATABASE_URL: "postgresql://app@db:5432/shop" }, ROOT);
    expect(config).toEqual({ port: 0, host: "0.0.0.0", dataDir: "/var/lib/sagaql", databaseUrl: "postgresql://app@db:5432/shop" });
  });

  it("makes a relative SQLite path absolute, against the working directory as a shell user expects", () => {
    expect(readServerConfig({ DATABASE_URL: "file:./dev.db" }, ROOT).databaseUrl).toBe(`file:${process.cwd()}/dev.db`);
    expect(readServerConfig({ DATABASE_URL: "dev.db" }, ROOT).databaseUrl).toBe(`file:${process.cwd()}/dev.db`);
  });

  it("refuses a PORT that is not a port number, naming it", () => {
    expect(() => readServerConfig({ PORT: "http" }, ROOT)).toThrow('PORT must be an integer from 0 to 65535, got "http"');
    expect(() => readServerConfig({ PORT: "70000" }, ROOT)).toThrow("PORT must be");
  });

  it("refuses a DATABASE_URL of another database, without echoing its password", () => {
    expect(() => readServerConfig({ DATABASE_URL: "mysql://root:secret@db/shop" }, ROOT)).toThrow('DATABASE_URL must be postgresql://… or a SQLite file (file:path), got "mysql://…@db/shop"');
  });
});
