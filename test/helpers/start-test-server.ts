import { createLogger } from "../../src/server/create-logger.ts";
import {
  createServer,
  type CreateServerOptions,
  type ListeningAddress,
  type SagaqlServer,
} from "../../src/server/create-server.ts";
import { CapturedLogs } from "./captured-logs.ts";

export interface TestServer {
  server: SagaqlServer;
  address: ListeningAddress;
  logs: CapturedLogs;
}

/** The real server on a free port, its logs captured. Close it with `server.close()`. */
export async function startTestServer(options: Omit<CreateServerOptions, "logger">): Promise<TestServer> {
  const logs = new CapturedLogs();
  const server = createServer({ ...options, logger: createLogger({ level: "debug", destination: logs }) });
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, address, logs };
}
