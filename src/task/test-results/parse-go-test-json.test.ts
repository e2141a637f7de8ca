import { describe, expect, it } from 'vitest';
import { parseGoTestJson } from './parse-go-test-json.ts';

// `go test -json ./...` (go 1.22): a passing test, a failing one with subtests, a skip, and a package that does
// not build.
const goOutput = `{"Time":"2024-05-01T10:00:00.000001Z","Action":"start","Package":"example.com/calc"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"run","Package":"example.com/calc","Test":"TestAdd"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestAdd","Output":"=== RUN   TestAdd\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestAdd","Output":"--- PASS: TestAdd (0.00s)\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"pass","Package":"example.com/calc","Test":"TestAdd","Elapsed":0.01}
{"Time":"2024-05-01T10:00:00.1Z","Action":"run","Package":"example.com/calc","Test":"TestDiv"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"run","Package":"example.com/calc","Test":"TestDiv/by_zero"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestDiv/by_zero","Output":"=== RUN   TestDiv/by_zero\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestDiv/by_zero","Output":"    calc_test.go:20: expected error, got nil\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestDiv/by_zero","Output":"--- FAIL: TestDiv/by_zero (0.00s)\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"fail","Package":"example.com/calc","Test":"TestDiv/by_zero","Elapsed":0}
{"Time":"2024-05-01T10:00:00.1Z","Action":"fail","Package":"example.com/calc","Test":"TestDiv","Elapsed":0.002}
{"Time":"2024-05-01T10:00:00.1Z","Action":"run","Package":"example.com/calc","Test":"TestSlow"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Test":"TestSlow","Output":"    calc_test.go:30: skipping in short mode\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"skip","Package":"example.com/calc","Test":"TestSlow","Elapsed":0}
{"Time":"2024-05-01T10:00:00.1Z","Action":"output","Package":"example.com/calc","Output":"FAIL\\n"}
{"Time":"2024-05-01T10:00:00.1Z","Action":"fail","Package":"example.com/calc","Elapsed":0.2}
# example.com/broken
broken/broken.go:3:1: syntax error: non-declaration statement outside function body
{"Time":"2024-05-01T10:00:00.2Z","Action":"start","Package":"example.com/broken"}
{"Time":"2024-05-01T10:00:00.2Z","Action":"output","Package":"example.com/broken","Output":"FAIL\\texample.com/broken [build failed]\\n"}
{"Time":"2024-05-01T10:00:00.2Z","Action":"fail","Package":"example.com/broken","Elapsed":0}
`;

describe('parseGoTestJson', () => {
  it('reads per-test events with package::Test ids, messages and durations', () => {
    const results = parseGoTestJson(goOutput);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['example.com/calc::TestAdd', 'passed'],
      ['example.com/calc::TestDiv/by_zero', 'failed'],
      ['example.com/calc::TestDiv', 'failed'],
      ['example.com/calc::TestSlow', 'skipped'],
      ['example.com/broken', 'error'],
    ]);
    expect(results[0].durationMs).toBe(10);
    expect(results[1].message).toBe('calc_test.go:20: expected error, got nil');
    expect(results[3].message).toBe('calc_test.go:30: skipping in short mode');
    expect(results[4].message).toContain('[build failed]');
  });

  it('reads a package that does not compile as Go 1.19 reports it (a plain line, no JSON events)', () => {
    // go 1.19.8, `go test -json ./p` where p_test.go calls an undefined function (the errors go to stderr).
    expect(parseGoTestJson('FAIL\tx/p [build failed]\n')).toEqual([
      { id: 'x/p', status: 'error', message: 'build failed' },
    ]);
    // Both forms for one package give one result.
    expect(
      parseGoTestJson(`${goOutput}FAIL\texample.com/broken [build failed]\n`).filter(
        (result) => result.id === 'example.com/broken',
      ),
    ).toHaveLength(1);
  });

  it('finds nothing in plain text', () => {
    expect(parseGoTestJson('go: command not found\n')).toEqual([]);
  });
});
