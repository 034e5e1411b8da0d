import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { loadContract } from "../src/modules/jobs/jobs.contract.js";
import { testConfig } from "./helpers.js";

// The shared examples must mean the same here as in the worker's contract test.
const dir = testConfig().CONTRACTS_DIR;
const contract = loadContract(dir);

function examples(kind: "valid" | "invalid"): [string, unknown][] {
  const folder = join(dir, "examples", kind);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(folder, name), "utf8"))]);
}

function check(name: string, message: unknown) {
  if (name.startsWith("job-")) return contract.checkJob(message);
  if (name.startsWith("event-")) return contract.checkEvent(message);
  throw new Error(`${name}: name examples job-* or event-*`);
}

describe("contract examples", () => {
  it.each(examples("valid"))("%s is valid", (name, message) => {
    expect(check(name, message)).toEqual([]);
  });

  it.each(examples("invalid"))("%s is invalid", (name, message) => {
    expect(check(name, message)).not.toEqual([]);
  });
});
