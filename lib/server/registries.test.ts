import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LayoutStore } from "../oci/layout-store";
import { buildConfig } from "./config";
import { Metrics } from "./metrics";
import { RegistrySet } from "./registries";

const root = mkdtempSync(join(tmpdir(), "chainsight-probe-"));
cpSync(join(__dirname, "../../e2e/fixtures/oras/command/artifacts"), join(root, "oras", "artifacts"), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("reachability probe of a layout store", () => {
  it("says reachable with the referrers API supported without reading the layout's blobs", async () => {
    const referrers = vi.spyOn(LayoutStore.prototype, "referrers");
    const set = new RegistrySet(buildConfig({ registries: [{ id: "layouts", kind: "oci-layout", path: root }] }), { metrics: new Metrics() });
    const status = await set.status("layouts");
    expect(status).toMatchObject({ reachable: true, capabilities: { catalog: "supported", referrersApi: "supported" } });
    expect(referrers).not.toHaveBeenCalled();
    referrers.mockRestore();
  });
});
