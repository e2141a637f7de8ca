import { describe, expect, it } from 'vitest';
import { assessInstruction } from './assess-instruction.ts';

describe('assessInstruction', () => {
  it('flags an instruction that only names an issue, and says when test names share no word with it', () => {
    expect(
      assessInstruction('# Fix #218\n\nThe following behaviour is expected:\n\n- count\n', [
        't.py::test_count',
      ]),
    ).toEqual({
      underspecified: true,
      reasons: [
        'it only refers to an issue whose text is not included',
        'no FAIL_TO_PASS test name shares a word with it',
      ],
    });
  });

  it('flags a thin description but not the expected-behaviour list mining appends', () => {
    const thin = assessInstruction(
      '# Handle empty carts\n\nThe following behaviour is expected:\n\n- cart: empty cart totals zero when nothing was added to it at all\n',
      ['t.py::test_empty_cart_totals_zero'],
    );
    expect(thin.underspecified).toBe(true);
    expect(thin.reasons).toEqual(['its description has 3 content word(s) (fewer than 8)']);
  });

  it('accepts an instruction that states the behaviour', () => {
    expect(
      assessInstruction(
        '# Sell pears\n\nThe shop sells pears at 3; the price list in prices.toml names them too and load returns it.\n',
        ['tests/test_prices.py::test_prices_match_the_price_list'],
      ),
    ).toEqual({ underspecified: false, reasons: [] });
  });
});
