import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import bcrypt from "bcryptjs";
import { parse as parseYaml, stringify } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors";

/**
 * Local users: a YAML file of `{ username, passwordHash (bcrypt), groups }`,
 * written by `npm run user -- add <name>`. Passwords are never stored, only
 * their bcrypt hashes.
 */

const userSchema = z.strictObject({
  username: z.string().regex(/^[a-zA-Z0-9._@-]{1,64}$/, "user names are letters, digits, '.', '_', '@' and '-'"),
  passwordHash: z.string().regex(/^\$2[aby]\$\d\d\$/, "passwordHash must be a bcrypt hash (use npm run user -- add)"),
  groups: z.array(z.string()).default([]),
});
const fileSchema = z.strictObject({ users: z.array(userSchema).default([]) });
export type LocalUser = z.infer<typeof userSchema>;

export function readUsers(path: string): LocalUser[] {
  if (!existsSync(path)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8")) ?? {};
  } catch (err) {
    throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`${path}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  return parsed.data.users;
}

let dummyHash: string | undefined;

/** The user, when the password matches its hash; undefined otherwise (same time either way, near enough). */
export async function verifyUser(path: string, username: string, password: string): Promise<LocalUser | undefined> {
  const user = readUsers(path).find((u) => u.username === username);
  // Compare against a dummy hash for unknown users, so timing does not tell which names exist.
  dummyHash ??= bcrypt.hashSync("no such user", 10);
  const ok = await bcrypt.compare(password, user?.passwordHash ?? dummyHash);
  return ok && user ? user : undefined;
}

export function addUser(path: string, username: string, password: string, groups: string[]): "added" | "updated" {
  if (password.length < 8) throw new ConfigError("the password must have at least 8 characters");
  const users = readUsers(path);
  const entry = userSchema.parse({ username, passwordHash: bcrypt.hashSync(password, 12), groups });
  const i = users.findIndex((u) => u.username === username);
  const result = i >= 0 ? "updated" : "added";
  if (i >= 0) users[i] = entry;
  else users.push(entry);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `# Chainsight local users (bcrypt hashes). Edit with: npm run user -- add <name>\n${stringify({ users })}`, { mode: 0o600 });
  renameSync(tmp, path);
  return result;
}
