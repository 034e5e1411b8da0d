import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const JOB_SCHEMA = "job.v1.schema.json";
export const EVENT_SCHEMA = "event.v1.schema.json";

/** One violation of the contract, e.g. `{ path: "data.numbers", message: "must NOT have fewer than 1 items" }`. */
export interface ContractProblem {
  path: string;
  message: string;
}

/** The JSON Schemas shared with the worker (contracts/ in the project), compiled once. */
export interface Contract {
  checkJob(message: unknown): ContractProblem[];
  checkEvent(message: unknown): ContractProblem[];
}

function problems(validate: ValidateFunction, message: unknown): ContractProblem[] {
  if (validate(message)) return [];
  return (validate.errors ?? []).map((error) => ({
    path: error.instancePath.split("/").filter(Boolean).join("."),
    message: error.message ?? "is invalid",
  }));
}

/** Loads and compiles the schemas in `dir`; throws at start-up if they are missing or broken. */
export function loadContract(dir: string): Contract {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv, ["uuid", "date-time"]);
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as object;
  const job = ajv.compile(read(JOB_SCHEMA));
  const event = ajv.compile(read(EVENT_SCHEMA));
  return {
    checkJob: (message) => problems(job, message),
    checkEvent: (message) => problems(event, message),
  };
}
