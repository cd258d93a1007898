import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { jwtSecretFrom } from "../../examples/checkout/auth/jwt-secret.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";

describe("the checkout example's SAGAQL_JWT_SECRET", () => {
  it("is required in production: npm start refuses with one line and exit code 1, before touching a database", () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: "file:/nonexistent/never-opened.db",
    };
    delete env.SAGAQL_JWT_SECRET;
    const started = spawnSync(process.execPath, ["--import", "tsx", "examples/checkout/main.ts"], {
      cwd: PROJECT_ROOT,
      env,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(started.status).toBe(1);
    expect(started.stdout).toBe("");
    expect(started.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^sagaql: SAGAQL_JWT_SECRET is required when NODE_ENV=production: set it to/),
    ]);
  }, 40_000);

  it("has a documented development default, and refuses a given secret shorter than 32 bytes", () => {
    expect(jwtSecretFrom({ NODE_ENV: "development" })).toMatchObject({ isDevelopmentDefault: true });
    expect(jwtSecretFrom({ NODE_ENV: "production", SAGAQL_JWT_SECRET: "x".repeat(32) })).toEqual({
      secret: "x".repeat(32),
      isDevelopmentDefault: false,
    });
    expect(() => jwtSecretFrom({ SAGAQL_JWT_SECRET: "short" })).toThrow("at least 32 bytes");
  });
});
