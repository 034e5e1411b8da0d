import { createLogger, levelsFrom } from './logger';

describe('logger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps the chosen level and everything above it', () => {
    expect(levelsFrom('warn')).toEqual(['warn', 'error', 'fatal']);
  });

  it('writes object messages as flat JSON lines', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    createLogger('json', 'log').log({ message: 'request', method: 'GET', status: 200 }, 'HTTP');
    expect(write).toHaveBeenCalledTimes(1);
    const line = String(write.mock.calls[0]?.[0]);
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({
      level: 'log',
      context: 'HTTP',
      message: 'request',
      method: 'GET',
      status: 200,
    });
  });
});
