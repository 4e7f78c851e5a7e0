import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addUser, readUsers, verifyUser } from "./users";

describe("local users", () => {
  it("stores bcrypt hashes, never passwords, and verifies them", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "users-")), "users.yaml");
    expect(addUser(file, "alice", "correct horse", ["ops"])).toBe("added");
    expect(addUser(file, "alice", "battery staple", ["ops", "dev"])).toBe("updated");
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("battery staple");
    expect(readUsers(file)).toEqual([{ username: "alice", passwordHash: expect.stringMatching(/^\$2[aby]\$12\$/), groups: ["ops", "dev"] }]);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(await verifyUser(file, "alice", "battery staple")).toMatchObject({ username: "alice" });
    expect(await verifyUser(file, "alice", "correct horse")).toBeUndefined();
    expect(await verifyUser(file, "mallory", "battery staple")).toBeUndefined();
  });

  it("refuses short passwords and bad names, and names the problem in a broken file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "users-")), "users.yaml");
    expect(() => addUser(file, "bob", "short", [])).toThrow(/at least 8 characters/);
    expect(() => addUser(file, "bob smith", "long enough", [])).toThrow(/user names are letters/);
  });
});
