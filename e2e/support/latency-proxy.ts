/**
 * Test and benchmark support: a TCP proxy that delays every chunk by a fixed
 * time in each direction, to make round trips cost what they cost over a
 * network. Order is kept (timers of equal delay fire in order).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { freePort } from "./ports";

export interface LatencyProxy {
  host: string;
  /** Connections opened through the proxy so far. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startLatencyProxy(target: { host: string; port: number }, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let opened = 0;
  const server: Server = createServer((client) => {
    opened++;
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const forward = (from: Socket, to: Socket) => {
      from.on("data", (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
      from.on("end", () => setTimeout(() => to.end(), delayMs));
      from.on("error", () => to.destroy());
      from.on("close", () => {
        sockets.delete(from);
        setTimeout(() => to.destroy(), delayMs + 5);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${port}`,
    connections: () => opened,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
