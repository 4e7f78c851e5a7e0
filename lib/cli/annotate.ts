/**
 * `npm run annotate -- <reference> --deletion-date 2027-01-31 | --new-version <tag|digest> | --review approved [--environment prod] | --annotation key=value ...`:
 * attach an annotations-only artifact to an image, as `oras attach
 * --artifact-type … --annotation …` does, with the checks and artifact
 * types of the dashboard's "Add metadata…" (lib/metadata). `--dry-run`
 * prints the manifest that would be pushed. Exit 0 written (or previewed),
 * 1 refused or failed, 2 usage.
 */
import { userInfo } from "node:os";
import { MetadataInputError, type MetadataRequest } from "../metadata/request";
import { previewMetadata, writeMetadata } from "../metadata/write";
import { failure, parseCli, runAsScript, UsageError, type CliResult } from "./cli";
import { openEnd } from "./end";

const USAGE = `usage: npm run annotate -- <reference> <what> [options]
  <reference>              <host[:port]>/<repository>(:<tag>|@<digest>)
  <what>, one of:
    --deletion-date D      YYYY-MM-DD (or RFC 3339): when it may be deleted (retention lists it after that)
    --new-version REF      a tag or digest of the same repository that supersedes it
    --review STATUS        reviewed | approved, with --environment ENV and --note TEXT; your user name is recorded
    --annotation K=V       free annotations (repeat); alone, or added to one of the above
  --dry-run                print the manifest that would be pushed; write nothing
  --oci-layout             <reference> is an OCI layout folder: <folder>(:<tag>|@<digest>)
  --plain-http             http:// for the registry
  --username U             password from $CHAINSIGHT_PASSWORD
  --reviewer NAME          the name recorded in a review mark (default: this system user)
  --output text|json
exit: 0 written (or previewed), 1 refused or failed, 2 usage`;

export async function runAnnotate(argv: string[], now = new Date()): Promise<CliResult> {
  try {
    const { values: v, positionals } = parseCli(
      argv,
      {
        "deletion-date": { type: "string" },
        "new-version": { type: "string" },
        review: { type: "string" },
        environment: { type: "string" },
        note: { type: "string" },
        annotation: { type: "string", multiple: true, short: "a" },
        "dry-run": { type: "boolean", default: false },
        "oci-layout": { type: "boolean", default: false },
        "plain-http": { type: "boolean", default: false },
        username: { type: "string" },
        reviewer: { type: "string" },
        output: { type: "string", short: "o", default: "text" },
        help: { type: "boolean", short: "h" },
      },
      USAGE,
    );
    if (v.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (positionals.length !== 1) throw new UsageError(`expected one reference, got ${positionals.length} argument(s)\n${USAGE}`);
    if (v.output !== "text" && v.output !== "json") throw new UsageError(`--output must be "text" or "json", not "${v.output}"`);
    const kinds = [v["deletion-date"] !== undefined && "deletion-date", v["new-version"] !== undefined && "new-version", v.review !== undefined && "review"].filter(Boolean) as MetadataRequest["kind"][];
    if (kinds.length > 1) throw new UsageError(`one of --deletion-date, --new-version and --review at a time (one artifact each), not ${kinds.map((k) => `--${k}`).join(" and ")}`);
    const annotations: Record<string, string> = {};
    for (const a of (v.annotation as string[] | undefined) ?? []) {
      const at = a.indexOf("=");
      if (at <= 0) throw new UsageError(`--annotation takes key=value, not "${a.slice(0, 80)}"`);
      annotations[a.slice(0, at)] = a.slice(at + 1);
    }
    const kind = kinds[0] ?? "annotations";
    if (kind === "annotations" && Object.keys(annotations).length === 0) throw new UsageError(`say what to add\n${USAGE}`);
    if (v.review !== undefined && v.review !== "reviewed" && v.review !== "approved") throw new UsageError(`--review is "reviewed" or "approved", not "${v.review}"`);
    const req: MetadataRequest = {
      kind,
      deletionDate: v["deletion-date"],
      newVersion: v["new-version"],
      review: v.review !== undefined ? { status: v.review as "reviewed" | "approved", environment: v.environment, note: v.note } : undefined,
      annotations: Object.keys(annotations).length ? annotations : undefined,
    };
    const end = openEnd(positionals[0], { layout: v["oci-layout"], plainHttp: v["plain-http"], username: v.username, password: process.env.CHAINSIGHT_PASSWORD, usernameFlag: "--username", passwordEnv: "CHAINSIGHT_PASSWORD", tagOnly: false, writable: true });
    if (!end.reference) throw new UsageError(`the reference needs a tag or a digest: ${end.shown}`);
    let preview;
    try {
      preview = await previewMetadata(end.store, end.repository, end.reference, req, { reviewer: v.reviewer ?? userInfo().username, now });
    } catch (err) {
      if (err instanceof MetadataInputError) return { code: 1, stdout: "", stderr: `error: ${err.message}\n` };
      throw err;
    }
    if (v["dry-run"]) {
      return { code: 0, stdout: v.output === "json" ? `${JSON.stringify(preview, null, 2)}\n` : `${JSON.stringify(JSON.parse(preview.manifest), null, 2)}\nwould push ${preview.digest} (${preview.size} bytes) to ${end.shown}, subject ${preview.subject.digest}\n`, stderr: "" };
    }
    await end.store.checkPush?.(end.repository);
    const written = await writeMetadata(end.store, end.store, end.repository, preview);
    if (v.output === "json") return { code: 0, stdout: `${JSON.stringify({ ...written, preview }, null, 2)}\n`, stderr: "" };
    const tag = written.referrersTag ? `; referrers tag ${written.referrersTag.tag} lists ${written.referrersTag.entries}` : "; the registry's referrers API lists it";
    return { code: 0, stdout: `attached ${preview.artifactType} ${written.digest} to ${end.shown} (${preview.subject.digest})${tag}\n`, stderr: "" };
  } catch (err) {
    return failure(err);
  }
}

runAsScript(/annotate\.[cm]?[tj]s$/, runAnnotate);
