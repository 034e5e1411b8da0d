import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const JOB_SCHEMA = 'job.v1.schema.json';
export const EVENT_SCHEMA = 'event.v1.schema.json';

/** One violation of the contract, e.g. `{ path: 'data.numbers', message: 'must NOT have fewer than 1 items' }`. */
export interface ContractProblem {
  path: string;
  message: string;
}

function problems(validate: ValidateFunction, message: unknown): ContractProblem[] {
  if (validate(message)) {
    return [];
  }
  return (validate.errors ?? []).map((error) => ({
    path: error.instancePath.split('/').filter(Boolean).join('.'),
    message: error.message ?? 'is invalid',
  }));
}

/**
 * The JSON Schemas shared with the worker (CONTRACTS_DIR), compiled once with ajv. JobsModule
 * provides it through `JobsContract.load`, so a missing or broken schema stops the app at
 * start-up instead of failing the first request.
 */
export class JobsContract {
  private constructor(
    private readonly job: ValidateFunction,
    private readonly event: ValidateFunction,
  ) {}

  /** Loads and compiles the schemas in `dir`; throws if they are missing or broken. */
  static load(dir: string): JobsContract {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv, ['uuid', 'date-time']);
    const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
    return new JobsContract(ajv.compile(read(JOB_SCHEMA)), ajv.compile(read(EVENT_SCHEMA)));
  }

  checkJob(message: unknown): ContractProblem[] {
    return problems(this.job, message);
  }

  checkEvent(message: unknown): ContractProblem[] {
    return problems(this.event, message);
  }
}
