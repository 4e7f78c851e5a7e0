/**
 * `npm run copy -- <source> <target> [options]`: copy an image, with its
 * supply chain when asked (`--referrers`, as `oras cp -r`), between
 * registries and OCI layout folders. The plan is made first (and is all that
 * `--dry-run` does); the copy writes only what the target lacks, so running
 * it again after an interruption finishes it. Exit 0 when the target's graph
 * holds every manifest of the plan, 1 when the copy failed or is incomplete,
 * 2 for a usage error.
 */
import { CopyInterruptedError, executeCopy, type CopyItem } from "../promotion/copy";
import { planCopy, type CopyPlan } from "../promotion/plan";
import { failure, parseCli, runAsScript, UsageError, type CliResult } from "./cli";
import { openEnd, type End } from "./end";

const USAGE = `usage: npm run copy -- <source> <target> [options]
  <source>, <target>   <host[:port]>/<repository>(:<tag>|@<digest>); the target's tag defaults to the source's
  -r, --referrers      copy the supply chain too: signatures, SBOMs, scans, attestations, recursively
  --from-oci-layout    the source is a folder of an OCI layout: <folder>(:<tag>|@<digest>)
  --to-oci-layout      the target is such a folder (created when missing): <folder>[:<tag>]
  --dry-run            print the plan (what would be written, what the target has) and write nothing
  --plain-http         http:// for both registries
  --from-username U / --to-username U   passwords from $CHAINSIGHT_SOURCE_PASSWORD / $CHAINSIGHT_TARGET_PASSWORD
  --output text|json
exit: 0 copied and checked at the target, 1 failed or incomplete (what was written is listed), 2 usage`;

export async function runCopy(argv: string[]): Promise<CliResult> {
  try {
    const { values: v, positionals } = parseCli(
      argv,
      {
        referrers: { type: "boolean", short: "r", default: false },
        "from-oci-layout": { type: "boolean", default: false },
        "to-oci-layout": { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        "plain-http": { type: "boolean", default: false },
        "from-username": { type: "string" },
        "to-username": { type: "string" },
        output: { type: "string", short: "o", default: "text" },
        help: { type: "boolean", short: "h" },
      },
      USAGE,
    );
    if (v.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (positionals.length !== 2) throw new UsageError(`expected a source and a target, got ${positionals.length} argument(s)\n${USAGE}`);
    if (v.output !== "text" && v.output !== "json") throw new UsageError(`--output must be "text" or "json", not "${v.output}"`);
    const source = openEnd(positionals[0], { layout: v["from-oci-layout"], plainHttp: v["plain-http"], username: v["from-username"], password: process.env.CHAINSIGHT_SOURCE_PASSWORD, usernameFlag: "--from-username", passwordEnv: "CHAINSIGHT_SOURCE_PASSWORD", tagOnly: false, writable: false });
    const target = openEnd(positionals[1], { layout: v["to-oci-layout"], plainHttp: v["plain-http"], username: v["to-username"], password: process.env.CHAINSIGHT_TARGET_PASSWORD, usernameFlag: "--to-username", passwordEnv: "CHAINSIGHT_TARGET_PASSWORD", tagOnly: true, writable: true });
    if (!source.reference) throw new UsageError(`the source needs a tag or a digest: ${source.shown}`);
    const plan = await planCopy({
      source: { store: source.store, repository: source.repository, reference: source.reference },
      target: { store: target.store, repository: target.repository, tag: target.reference },
      referrers: v.referrers,
    });
    if (v["dry-run"]) {
      return { code: 0, stdout: v.output === "json" ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan, source, target), stderr: "" };
    }
    const lines: string[] = [];
    const sameRegistry = !v["from-oci-layout"] && !v["to-oci-layout"] && source.host === target.host;
    try {
      const result = await executeCopy(plan, { source: { store: source.store, blobs: source.store, repository: source.repository }, target: { store: target.store, blobs: target.store, repository: target.repository }, sameRegistry }, {
        onItem: (item) => {
          if (v.output === "text" && item.outcome !== "skipped") lines.push(describeItem(item));
        },
      });
      const code = result.complete ? 0 : 1;
      if (v.output === "json") return { code, stdout: `${JSON.stringify({ plan: plan.totals, ...result }, null, 2)}\n`, stderr: "" };
      const count = (kind: CopyItem["kind"], outcome?: string) => result.items.filter((i) => i.kind === kind && (outcome ? i.outcome === outcome : i.outcome !== "skipped")).length;
      lines.push(
        "",
        `${source.shown} → ${target.shown} (${plan.source.digest})`,
        `${count("manifest")} manifest(s) and ${count("blob", "uploaded")} blob(s) written (${result.bytesMoved} bytes), ${count("blob", "mounted")} mounted, ${count("tag")} tag(s), ${count("referrers-index")} referrers index(es); ${result.items.filter((i) => i.outcome === "skipped").length} already there`,
        result.complete ? "complete: the target's graph holds every manifest of the plan" : `incomplete: the target lacks ${result.missing.join(", ")}`,
      );
      return { code, stdout: `${lines.join("\n")}\n`, stderr: "" };
    } catch (err) {
      if (!(err instanceof CopyInterruptedError)) throw err;
      const written = err.written.filter((i) => i.outcome !== "skipped").map(describeItem);
      return { code: 1, stdout: written.length ? `${written.join("\n")}\n` : "", stderr: `error: ${err.message}\n` };
    }
  } catch (err) {
    return failure(err);
  }
}

function describePlan(plan: CopyPlan, source: End, target: End): string {
  const t = plan.totals;
  const lines = [
    `${source.shown} → ${target.shown}${plan.target.tag ? ` (tag ${plan.target.tag})` : ""}: ${plan.source.digest}`,
    `${t.manifests} manifest(s), ${t.manifestsToWrite} to write; ${t.blobs} blob(s), ${t.blobsToMove} to move; ${t.bytesToMove} of ${t.bytes} bytes to move (${t.bytesSkipped} already there)`,
    "",
    ...plan.manifests.map((m) => `${m.exists ? "  have " : "  write"} ${m.role.padEnd(17)} ${m.digest}  ${m.label}${m.tags.length ? `  tags ${m.tags.join(", ")}` : ""}`),
    ...plan.referrersIndexes.map((r) => `  merge  referrers index    ${r.tag} (+${r.add.length})`),
    ...plan.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join("\n")}\n`;
}

function describeItem(item: CopyItem): string {
  switch (item.kind) {
    case "blob":
      return `${item.outcome === "mounted" ? "mounted " : "uploaded"} blob ${item.digest} (${item.size} bytes)`;
    case "manifest":
      return `wrote    manifest ${item.digest}`;
    case "tag":
      return `tagged   ${item.tag} → ${item.digest}`;
    case "referrers-index":
      return `merged   referrers index ${item.tag} (${item.entries} entries)`;
  }
}

runAsScript(/copy\.[cm]?[tj]s$/, runCopy);
