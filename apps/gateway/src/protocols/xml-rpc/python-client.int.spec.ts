import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { service as validator1 } from '@junction/service-validator1';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { wireService } from '../../testing/wire-service';

interface Check {
  method: string;
  seed: number;
  ok: boolean;
  expected: string;
  got: string;
  sent: string;
}

type Slot = { value: unknown } | { faultCode: number; faultString: string };

interface PythonReport {
  subtract: number;
  listMethods: string[];
  methodSignature: string[][];
  multicall: Slot[];
  faults: Record<'badParams' | 'unknownMethod' | 'unknownService' | 'serviceError', Slot>;
  validator1: Check[];
  datesAndBytes: Record<string, unknown>;
  hostile: Record<string, unknown>;
}

const SCRIPT = join(__dirname, 'python_client_check.py');

function python(): string {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `python3 is not on the PATH (${probe.error?.message ?? probe.stderr.trim()}): this test runs Python's standard-library xmlrpc.client against the gateway; install Python 3.8 or later (no packages needed)`,
    );
  }
  return 'python3';
}

/** Python's own XML-RPC client, over a real socket: what most XML-RPC callers in the wild use. */
describe("Python's xmlrpc.client against the gateway", () => {
  let node: Embedded;
  let report: PythonReport;

  beforeAll(async () => {
    const interpreter = python();
    node = await startEmbedded({ services: [validator1, wireService] });
    const url = `http://127.0.0.1:${await node.listen()}/RPC2`;
    try {
      const { stdout } = await promisify(execFile)(interpreter, [SCRIPT, url], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      report = JSON.parse(stdout) as PythonReport;
    } catch (err) {
      const { stderr } = err as { stderr?: string };
      throw new Error(`${SCRIPT} failed against ${url}:\n${stderr ?? (err as Error).message}`);
    }
  }, 90_000);
  afterAll(() => node?.close());

  it('calls calc.subtract', () => {
    expect(report.subtract).toBe(19);
  });

  it('lists every method with system.listMethods, and types manyTypesTest with system.methodSignature', () => {
    const validatorMethods = Object.keys(validator1.methods).map((m) => `validator1.${m}`);
    expect(report.listMethods).toEqual(expect.arrayContaining(['calc.subtract', 'system.listMethods', 'system.multicall', ...validatorMethods]));
    expect(report.methodSignature).toEqual([['array', 'int', 'boolean', 'string', 'double', 'dateTime.iso8601', 'base64']]);
  });

  it('runs a MultiCall whose faulting calls fail in their own slots only', () => {
    expect(report.multicall).toEqual([
      { value: 19 },
      { faultCode: -32000, faultString: 'cannot divide 1 by zero' },
      { faultCode: -32601, faultString: 'service "calc" has no method "nope"' },
      { value: 6 },
      { faultCode: -32602, faultString: expect.stringContaining('/minuend must be number (got string)') },
    ]);
  });

  it('raises Faults with their faultCode', () => {
    expect(report.faults).toEqual({
      badParams: { faultCode: -32602, faultString: expect.stringContaining('/minuend must be number (got string)') },
      unknownMethod: { faultCode: -32601, faultString: 'service "calc" has no method "nope"' },
      unknownService: { faultCode: -32601, faultString: expect.stringContaining('nosuch') },
      serviceError: { faultCode: -32000, faultString: 'cannot divide 3 by zero' },
    });
  });

  it('answers every validator1 method with data generated in Python', () => {
    const failed = report.validator1.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    const covered = [...new Set(report.validator1.map((c) => c.method))].sort();
    expect(covered).toEqual(Object.keys(validator1.methods).sort());
    expect(report.validator1).toHaveLength(covered.length * 5);
  });

  it('round-trips dateTime and base64, as DateTime/Binary and as datetime/bytes', () => {
    expect(report.datesAndBytes).toEqual({
      builtinDateTime: ['datetime', true],
      builtinBytes: ['bytes', true],
      plainDateTime: ['DateTime', '19980717T14:08:55', true],
      plainBinary: ['Binary', true],
      handlerKinds: ['Date', 'Uint8Array', 'Date', 'Uint8Array'],
      handlerEpochMs: Date.UTC(1998, 6, 17, 14, 8, 55),
      expectedEpochMs: Date.UTC(1998, 6, 17, 14, 8, 55),
      later: true,
      reversed: true,
      zoneInText: '19980717T14:08:55',
    });
  });

  it('answers hostile bodies with faults, and the next call still succeeds', () => {
    const refused = (says: string) => ({ faultCode: -32600, faultString: expect.stringContaining(says) });
    // The gateway answers an oversized body as soon as it passes the limit, without reading the
    // rest; a client still sending then may see the connection reset before it reads the fault.
    // Either way it was refused, and the next call succeeds.
    const oversized = report.hostile.oversized as { error?: string };
    if (oversized.error !== undefined) expect(oversized.error).toMatch(/BrokenPipe|ConnectionReset/);
    else expect(oversized).toEqual(refused('gateway.bodyLimit'));
    expect({ ...report.hostile, oversized: 'checked above' }).toEqual({
      billionLaughs: refused('DOCTYPE'),
      billionLaughsThenSubtract: 19,
      externalEntity: refused('DOCTYPE'),
      externalEntityThenSubtract: 19,
      oversized: 'checked above',
      oversizedThenSubtract: 19,
      absurdNesting: refused('gateway.maxDepth'),
      absurdNestingThenSubtract: 19,
    });
  });
});
