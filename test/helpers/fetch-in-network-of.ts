import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { networkCut, nsenterArgs } from "./network-cut.ts";

const run = promisify(execFile);

export interface NamespacedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * `fetch` from inside the network namespace of process `pid` (e.g. a server started with `unshare -n`, whose
 * loopback the test's own namespace cannot reach), with `nsenter`.
 */
export async function fetchInNetworkOf(
  pid: number,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<NamespacedResponse> {
  const script = `
    const response = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
    const text = await response.text();
    process.stdout.write(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), text }));
  `;
  const { stdout } = await inNetworkOf(pid, [process.execPath, "--input-type=module", "-e", script]);
  return JSON.parse(stdout) as NamespacedResponse;
}

/** The network interfaces process `pid` sees, by name. */
export async function interfacesInNetworkOf(pid: number): Promise<string[]> {
  const { stdout } = await inNetworkOf(pid, ["ip", "-o", "link", "show"]);
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(":")[1]!.trim().split("@")[0]!);
}

function inNetworkOf(pid: number, command: string[]): Promise<{ stdout: string }> {
  const [nsenter, ...args] = nsenterArgs(networkCut(), pid);
  return run(nsenter!, [...args, ...command], { maxBuffer: 64 * 1024 * 1024 });
}
