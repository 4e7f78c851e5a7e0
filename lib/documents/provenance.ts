import { isObject, objects, str, time, type Json } from "./fields";
import type { Provenance } from "./model";

/**
 * SLSA provenance v0.1, v0.2 and v1 predicates (including BuildKit's and the
 * GitHub generators'), read into one summary: who built it, how, from which
 * source and commit, with what, when.
 */

export function parseProvenance(predicateType: string, predicate: Json, subjects: Provenance["subjects"]): Provenance {
  const slsaVersion = /provenance\/v1$/.test(predicateType) ? "v1" : /provenance\/v0\.2$/.test(predicateType) ? "v0.2" : /provenance\/v0\.1$/.test(predicateType) ? "v0.1" : "unknown";
  if (slsaVersion === "v1" || isObject(predicate.buildDefinition)) return v1(predicateType, predicate, subjects);
  const builder = isObject(predicate.builder) ? predicate.builder : {};
  const invocation = isObject(predicate.invocation) ? predicate.invocation : {};
  const config = isObject(invocation.configSource) ? invocation.configSource : {};
  const recipe = isObject(predicate.recipe) ? predicate.recipe : {};
  const metadata = isObject(predicate.metadata) ? predicate.metadata : {};
  const materials = objects(predicate.materials).map((m) => ({ uri: str(m.uri) ?? "", digest: digestOf(m.digest) })).filter((m) => m.uri);
  const sourceUri = str(config.uri);
  const commit = digestOf(config.digest);
  return {
    kind: "provenance",
    predicateType,
    slsaVersion,
    builderId: str(builder.id),
    buildType: str(predicate.buildType) ?? str(recipe.type),
    source: sourceUri ? { uri: sourceUri.replace(/^git\+/, "").replace(/#[0-9a-f]{40}$/, ""), commit: commit?.sha1 ?? commit?.gitCommit ?? commit?.sha256 } : undefined,
    entryPoint: str(config.entryPoint) ?? str(recipe.entryPoint),
    materials,
    startedOn: time(metadata.buildStartedOn),
    finishedOn: time(metadata.buildFinishedOn),
    subjects,
  };
}

function v1(predicateType: string, predicate: Json, subjects: Provenance["subjects"]): Provenance {
  const def = isObject(predicate.buildDefinition) ? predicate.buildDefinition : {};
  const run = isObject(predicate.runDetails) ? predicate.runDetails : {};
  const builder = isObject(run.builder) ? run.builder : {};
  const metadata = isObject(run.metadata) ? run.metadata : {};
  const external = isObject(def.externalParameters) ? def.externalParameters : {};
  const deps = objects(def.resolvedDependencies).map((d) => ({ uri: str(d.uri) ?? str(d.name) ?? "", digest: digestOf(d.digest) })).filter((d) => d.uri);
  // Where the source is named differs per build type: GitHub Actions (workflow), BuildKit (configSource), the container-based generator (source).
  const workflow = isObject(external.workflow) ? external.workflow : undefined;
  const configSource = isObject(external.configSource) ? external.configSource : undefined;
  const source = isObject(external.source) ? external.source : undefined;
  let uri = str(workflow?.repository) ?? str(configSource?.uri) ?? str(source?.uri) ?? (typeof external.source === "string" ? external.source : undefined);
  let commit = digestOf(configSource?.digest)?.sha1 ?? digestOf(source?.digest)?.sha1 ?? digestOf(source?.digest)?.gitCommit;
  if (uri && !commit) {
    const base = uri.replace(/^git\+/, "").replace(/[@#].*$/, "").replace(/\.git$/, "");
    const dep = deps.find((d) => d.uri.replace(/^git\+/, "").replace(/[@#].*$/, "").replace(/\.git$/, "") === base);
    commit = dep?.digest?.gitCommit ?? dep?.digest?.sha1;
  }
  if (uri) uri = uri.replace(/^git\+/, "");
  return {
    kind: "provenance",
    predicateType,
    slsaVersion: "v1",
    builderId: str(builder.id),
    buildType: str(def.buildType),
    source: uri ? { uri, commit } : undefined,
    entryPoint: str(workflow?.path) ?? str(configSource?.path) ?? str(external.entryPoint),
    materials: deps,
    startedOn: time(metadata.startedOn),
    finishedOn: time(metadata.finishedOn),
    subjects,
  };
}

function digestOf(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return Object.keys(out).length ? out : undefined;
}

export function statementSubjects(statement: Json): Provenance["subjects"] {
  return objects(statement.subject).map((s) => ({ name: str(s.name) ?? "", digest: digestOf(s.digest) ?? {} }));
}

