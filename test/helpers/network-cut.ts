import { spawnSync } from "node:child_process";

/**
 * How this machine can start a process with no network but a loopback interface: a network namespace of its own
 * (`unshare -n`, which needs root), or, without root, one inside a user namespace of its own (`unshare -rn`, where
 * the kernel allows unprivileged user namespaces). `ip` brings the loopback up; `nsenter` reaches into it.
 */
export type NetworkCut = { mode: "network-namespace" | "user-namespace" } | { mode: "impossible"; reason: string };

export function networkCut(): NetworkCut {
  const missing = ["unshare", "ip", "nsenter"].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) return { mode: "impossible", reason: `missing ${missing.join(", ")}` };
  if (spawnSync("unshare", ["-n", "true"]).status === 0) return { mode: "network-namespace" };
  const user = spawnSync("unshare", ["-rn", "true"], { encoding: "utf8" });
  if (user.status === 0) return { mode: "user-namespace" };
  return {
    mode: "impossible",
    reason: `not root, and no unprivileged user namespace (unshare -rn: ${user.stderr.trim() || `exit ${user.status}`})`,
  };
}

/** The `unshare` prefix that runs a command in a network of its own. */
export function unshareArgs(cut: NetworkCut): string[] {
  if (cut.mode === "impossible") throw new Error(`cannot cut the network here: ${cut.reason}`);
  return cut.mode === "network-namespace" ? ["unshare", "-n"] : ["unshare", "-rn"];
}

/** The `nsenter` prefix that joins the network of process `pid` started with `unshareArgs`. */
export function nsenterArgs(cut: NetworkCut, pid: number): string[] {
  if (cut.mode === "impossible") throw new Error(`cannot cut the network here: ${cut.reason}`);
  const base = ["nsenter", "-t", String(pid), "-n"];
  // Joining a network owned by another user namespace means joining that namespace too.
  return cut.mode === "network-namespace" ? base : [...base, "-U", "--preserve-credentials"];
}
