import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface NamespacedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * `fetch` from inside the network namespace of process `pid` (e.g. a server started with `unshare -n`, whose
 * loopback the test's own namespace cannot reach). Needs root and `nsenter`.
 */
export async function fetchInNetworkOf(pid: number, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<NamespacedResponse> {
  const script = `
    const response = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
    const text = await response.text();
    process.stdout.write(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), text }));
  `;
  const { stdout } = await run("nsenter", ["-t", String(pid), "-n", process.execPath, "--input-type=module", "-e", script], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as NamespacedResponse;
}
