import { describe, expect, it } from "vitest";
import { readAppEnv } from "../../src/app/read-app-env.ts";

const ROOT = "/srv/app";

describe("readAppEnv", () => {
  it("defaults to 127.0.0.1:4000 and a SQLite file under the root's data/", () => {
    expect(readAppEnv({}, { root: ROOT })).toEqual({
      port: 4000,
      host: "127.0.0.1",
      dataDir: "/srv/app/data",
      databaseUrl: "file:/srv/app/data/app.db",
      production: false,
      recovery: {},
    });
  });

  it("names the default SQLite file and data folder after the config", () => {
    const env = readAppEnv({}, { root: ROOT, dataDir: "state", sqliteFile: "checkout.db" });
    expect(env.databaseUrl).toBe("file:/srv/app/state/checkout.db");
  });

  it("takes PORT, HOST, DATA_DIR and a PostgreSQL DATABASE_URL as given", () => {
    const env = readAppEnv(
      {
        PORT: "0",
        HOST: "0.0.0.0",
        DATA_DIR: "/var/lib/sagaql",
        DATABASE_URL: "postgresql://app@db:5432/shop",
        NODE_ENV: "production",
      },
      { root: ROOT },
    );
    expect(env).toEqual({
      port: 0,
      host: "0.0.0.0",
      dataDir: "/var/lib/sagaql",
      databaseUrl: "postgresql://app@db:5432/shop",
      production: true,
      recovery: {},
    });
  });

  it("reads the recovery settings and the instance id, leaving out the ones not set", () => {
    const env = readAppEnv(
      {
        SAGAQL_LEASE_MS: "1500",
        SAGAQL_RECOVERY_INTERVAL_MS: "200",
        SAGAQL_MAX_RECOVERY_ATTEMPTS: "2",
        SAGAQL_RUN_RETENTION_MS: "0",
        SAGAQL_INSTANCE_ID: "web-1",
      },
      { root: ROOT },
    );
    expect(env.recovery).toEqual({
      leaseMs: 1500,
      intervalMs: 200,
      maxRecoveryAttempts: 2,
      retentionMs: 0,
      instanceId: "web-1",
    });
    expect(readAppEnv({ SAGAQL_LEASE_MS: "1500" }, { root: ROOT }).recovery).toEqual({ leaseMs: 1500 });
  });

  it("refuses a recovery setting that is not a whole number, naming it", () => {
    expect(() => readAppEnv({ SAGAQL_LEASE_MS: "soon" }, { root: ROOT })).toThrow(
      'SAGAQL_LEASE_MS must be a whole, non-negative number, got "soon"',
    );
    expect(() => readAppEnv({ SAGAQL_RUN_RETENTION_MS: "-1" }, { root: ROOT })).toThrow(
      "SAGAQL_RUN_RETENTION_MS must be",
    );
  });

  it("makes a relative SQLite path absolute, against the working directory as a shell user expects", () => {
    expect(readAppEnv({ DATABASE_URL: "file:./dev.db" }, { root: ROOT }).databaseUrl).toBe(
      `file:${process.cwd()}/dev.db`,
    );
    expect(readAppEnv({ DATABASE_URL: "dev.db" }, { root: ROOT }).databaseUrl).toBe(`file:${process.cwd()}/dev.db`);
  });

  it("refuses a PORT that is not a port number, naming it", () => {
    expect(() => readAppEnv({ PORT: "http" }, { root: ROOT })).toThrow(
      'PORT must be an integer from 0 to 65535, got "http"',
    );
    expect(() => readAppEnv({ PORT: "70000" }, { root: ROOT })).toThrow("PORT must be");
  });

  it("refuses a DATABASE_URL of another database, without echoing its password", () => {
    expect(() => readAppEnv({ DATABASE_URL: "mysql://root:secret@db/shop" }, { root: ROOT })).toThrow(
      'DATABASE_URL must be postgresql://… or a SQLite file (file:path), got "mysql://…@db/shop"',
    );
  });
});
