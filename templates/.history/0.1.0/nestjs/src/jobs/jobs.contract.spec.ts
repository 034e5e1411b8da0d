import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Env } from '../config/env';
import { JobsContract } from './jobs.contract';

// The shared examples must mean the same here as in the worker's contract test. `make contract`
// runs only this file. CONTRACTS_DIR is relative to the working directory, like in the app.
const dir = process.env.CONTRACTS_DIR ?? new Env().CONTRACTS_DIR;
const contract = JobsContract.load(dir);

function examples(kind: 'valid' | 'invalid'): [string, unknown][] {
  const folder = join(dir, 'examples', kind);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(folder, name), 'utf8'))]);
}

function check(name: string, message: unknown) {
  if (name.startsWith('job-')) {
    return contract.checkJob(message);
  }
  if (name.startsWith('event-')) {
    return contract.checkEvent(message);
  }
  throw new Error(`${name}: name examples job-* or event-*`);
}

describe(`contract examples in ${dir}/examples`, () => {
  it('has examples of both kinds', () => {
    expect(examples('valid').length).toBeGreaterThan(0);
    expect(examples('invalid').length).toBeGreaterThan(0);
  });

  it.each(examples('valid'))('%s is valid', (name, message) => {
    expect(check(name, message)).toEqual([]);
  });

  it.each(examples('invalid'))('%s is invalid', (name, message) => {
    expect(check(name, message)).not.toEqual([]);
  });
});

describe('JobsContract', () => {
  it('names the field of each problem', () => {
    const problems = contract.checkJob({
      v: 1,
      id: '0b6f6c55-3c4e-4d0a-9a51-3f6a4f2b8e11',
      type: 'stats',
      data: { numbers: [1, 'two'] },
      created_at: '2026-01-01T12:00:00Z',
    });
    expect(problems).toEqual([{ path: 'data.numbers.1', message: 'must be number' }]);
  });

  it('refuses to start without the schemas', () => {
    expect(() => JobsContract.load(join(dir, 'no-such-dir'))).toThrow(/ENOENT/);
  });
});
