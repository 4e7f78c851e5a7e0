import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardedFetch } from "./connect-guard";

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((_, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("guarded fetch", () => {
  it("refuses to connect to a name that resolves to loopback unless the config names it", async () => {
    const strict = createGuardedFetch({ registryHost: "registry.example", allowHosts: [] });
    const err = await strict(`http://localhost:${port}/`, { method: "GET" }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.cause?.code).toBe("ECHAINSIGHTFORBIDDEN");
    expect(err.cause?.message).toMatch(/refused to connect to localhost: it resolves to (127\.0\.0\.1|::1), a loopback address/);
  });

  it("connects when the name is the registry's or allowed", async () => {
    for (const policy of [{ registryHost: "localhost", allowHosts: [] }, { registryHost: "registry.example", allowHosts: [`localhost:${port}`] }]) {
      const res = await createGuardedFetch(policy)(`http://localhost:${port}/`, { method: "GET" });
      expect(await res.text()).toBe("ok");
    }
  });
});
