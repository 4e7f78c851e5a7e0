import { resolve } from "node:path";
import { describeError } from "../oci/errors";
import { loadConfig } from "../server/config";
import { addUser } from "../server/users";

/**
 * `npm run user -- add <name> [--groups a,b] [--file users.yaml]`: create or
 * update a local user. The password is read from CHAINSIGHT_PASSWORD or, if
 * unset, from standard input (one line), never from the command line.
 */

async function readPassword(): Promise<string> {
  if (process.env.CHAINSIGHT_PASSWORD) return process.env.CHAINSIGHT_PASSWORD;
  process.stderr.write("password: ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0];
}

async function main(argv: string[]): Promise<number> {
  const [command, username, ...rest] = argv;
  if (command !== "add" || !username) {
    process.stderr.write("usage: npm run user -- add <name> [--groups a,b] [--file path/to/users.yaml]\n  the password comes from CHAINSIGHT_PASSWORD or standard input\n");
    return 2;
  }
  let file: string | undefined;
  let groups: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--file") file = rest[++i];
    else if (rest[i] === "--groups") groups = (rest[++i] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    else {
      process.stderr.write(`unknown option ${rest[i]}\n`);
      return 2;
    }
  }
  const path = file ? resolve(file) : loadConfig().auth.usersFile;
  if (!path) {
    process.stderr.write("no users file: pass --file, or set auth.usersFile in the config named by CHAINSIGHT_CONFIG\n");
    return 2;
  }
  const result = addUser(path, username, await readPassword(), groups);
  process.stdout.write(`${result} user ${username} in ${path}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`error: ${describeError(err)}\n`);
    process.exit(1);
  },
);
