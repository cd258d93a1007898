import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { newRunOwner, ownerIsGone, parseOwner } from "../../src/engine/recovery/run-owner.ts";

describe("run owners", () => {
  test("an owner names this process, and a live process is never gone", () => {
    const self = newRunOwner(undefined);
    expect(parseOwner(self)).toMatchObject({ pid: process.pid, instance: undefined });
    expect(parseOwner(self)!.startTicks).toBeGreaterThan(0);
    expect(ownerIsGone(self, self)).toBe(false);
    expect(ownerIsGone(newRunOwner(undefined), self), "another store of this same process").toBe(false);
  });

  test("a process of this host that exited is gone", () => {
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("${new URL("../../src/engine/recovery/run-owner.ts", import.meta.url).pathname}").then((m) => console.log(m.newRunOwner(undefined)))`,
      ],
      { encoding: "utf8" },
    );
    const dead = child.stdout.trim();
    expect(parseOwner(dead)!.pid).not.toBe(process.pid);
    expect(ownerIsGone(dead, newRunOwner(undefined))).toBe(true);
  });

  test("a live pid that started at another time was reused: its recorded owner is gone", () => {
    const self = parseOwner(newRunOwner(undefined))!;
    const reused = newRunOwner(undefined).replace(/;start=\d+$/, `;start=${self.startTicks - 1}`);
    // The parent process (the test runner) is alive; write its pid with a wrong start time.
    const parentWithWrongStart = reused.replace(`:${process.pid}:`, `:${process.ppid}:`);
    expect(ownerIsGone(parentWithWrongStart, newRunOwner(undefined))).toBe(true);
    const parentAsIs = parentWithWrongStart.replace(/;start=\d+$/, `;start=${startOf(process.ppid)}`);
    expect(ownerIsGone(parentAsIs, newRunOwner(undefined))).toBe(false);
  });

  test("another host, or an owner given by hand, is never provably gone: the lease rules", () => {
    const self = newRunOwner(undefined);
    const elsewhere = self.replace(/;host=[0-9a-f]+/, ";host=0123456789abcdef").replace(`:${process.pid}:`, ":999999:");
    expect(ownerIsGone(elsewhere, self)).toBe(false);
    expect(ownerIsGone("instance-b", self)).toBe(false);
  });

  test("the same instance id is the same instance restarted, on any host", () => {
    const before = newRunOwner("checkout-1").replace(/;host=[0-9a-f]+/, ";host=00000000000000aa");
    expect(ownerIsGone(before, newRunOwner("checkout-1"))).toBe(true);
    expect(ownerIsGone(before, newRunOwner("checkout-2"))).toBe(false);
  });
});

function startOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
}
