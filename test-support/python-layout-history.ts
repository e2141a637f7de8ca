import { join } from 'node:path';
import { createGitHistory } from './git-history.ts';

/** The commits of {@link createPythonLayoutHistory}, by role. */
export interface PythonLayoutHistory {
  repositoryDir: string;
  /** Changes `src/shop/prices.py` and the data file `tests/data/prices.toml` only; a noisy squash message. */
  dataFile: string;
  /** A `--no-ff` merge of a two-commit branch adding discounts (source and tests). */
  merge: string;
  /** Adds `src/shop/tax.py` and a test module that imports it: all its 12 tests fail at the base on the import. */
  importFailure: string;
  /** A fix with a test whose message is only "Fix #218". */
  thinMessage: string;
}

const cart = `class Cart:
    def __init__(self):
        self.items = []

    def add(self, name, price):
        self.items.append((name, price))

    def total(self):
        return sum(price for _, price in self.items)
`;

const cartTests = `from shop.cart import Cart


def test_empty_cart_totals_zero():
    assert Cart().total() == 0


def test_total_sums_prices():
    cart = Cart()
    cart.add("apple", 2)
    cart.add("pear", 3)
    assert cart.total() == 5
`;

const prices = (entries: Record<string, number>) =>
  `PRICES = ${JSON.stringify(entries).replaceAll(':', ': ').replaceAll(',', ', ')}\n\n\ndef load():\n    return dict(PRICES)\n`;

const pricesToml = (entries: Record<string, number>) =>
  Object.entries(entries)
    .map(([name, price]) => `${name} = ${price}\n`)
    .join('');

const pricesTests = `import pathlib
import tomllib

from shop.prices import load


def test_prices_match_the_price_list():
    data = tomllib.loads((pathlib.Path(__file__).parent / "data" / "prices.toml").read_text())
    assert load() == data


def test_prices_are_positive():
    assert all(price > 0 for price in load().values())
`;

/**
 * Test support: a src-layout Python package (`src/shop/`, no pytest configuration, not installed: it imports only
 * with `PYTHONPATH=src`) with the commit kinds mining must handle, oldest first: root; a commit changing source and a
 * test data file only, with a squash-merge message full of trailers; a merged pull request; a new module whose tests
 * fail to import at the base; and a fix described only as "Fix #218".
 */
export async function createPythonLayoutHistory(directory: string): Promise<PythonLayoutHistory> {
  const history = await createGitHistory(join(directory, 'shop'));
  await history.commit('Initial shop', {
    'src/shop/__init__.py': '',
    'src/shop/cart.py': cart,
    'src/shop/prices.py': prices({ apple: 2 }),
    'tests/test_cart.py': cartTests,
    'tests/test_prices.py': pricesTests,
    'tests/data/prices.toml': pricesToml({ apple: 2 }),
    'README.md': '# shop\n',
  });
  const dataFile = await history.commit(
    [
      'Sell pears (#31)',
      '',
      'The shop sells pears at 3; the price list in prices.toml names them too.',
      '',
      '* Update prices.py',
      '',
      '* address review comments',
      '',
      '* [pre-commit.ci] auto fixes from pre-commit.com hooks',
      '',
      'Co-authored-by: Bob <bob@example.com>',
      'Signed-off-by: Alice <alice@example.com>',
    ].join('\n'),
    {
      'src/shop/prices.py': prices({ apple: 2, pear: 3 }),
      'tests/data/prices.toml': pricesToml({ apple: 2, pear: 3 }),
    },
  );

  await history.git('checkout', '--quiet', '-b', 'discount');
  await history.commit('Add discount codes', {
    'src/shop/cart.py': cart.replace(
      '    def total(self):\n        return sum(price for _, price in self.items)\n',
      '    def total(self, discount=0):\n        return sum(price for _, price in self.items) * (100 - discount) / 100\n',
    ),
  });
  await history.commit('Test discounts', {
    'tests/test_cart.py': `${cartTests}\n\ndef test_discount_takes_a_percentage_off():\n    cart = Cart()\n    cart.add("apple", 10)\n    assert cart.total(discount=20) == 8\n`,
  });
  await history.git('checkout', '--quiet', 'main');
  await history.git(
    'merge',
    '--quiet',
    '--no-ff',
    'discount',
    '-m',
    'Merge pull request #7 from dev/discount',
    '-m',
    'Apply a discount percentage to the cart total\n\nCart.total takes a discount in percent and takes it off the sum.',
  );
  const merge = await history.git('rev-parse', 'HEAD');

  const importFailure = await history.commit(
    'Add VAT\n\nshop.tax.vat(amount, rate) returns the tax on an amount for a rate in percent.',
    {
      'src/shop/tax.py': 'def vat(amount, rate):\n    return amount * rate / 100\n',
      'tests/test_tax.py':
        'import pytest\n\nfrom shop.tax import vat\n\n\n@pytest.mark.parametrize("amount", range(12))\ndef test_vat_is_a_fraction_of_the_amount(amount):\n    assert vat(amount, 50) == amount / 2\n',
    },
  );
  const thinMessage = await history.commit('Fix #218', {
    'src/shop/cart.py': `${cart.replace('return sum(price for _, price in self.items)', 'return sum(price for _, price in self.items) * (100 - discount) / 100').replace('def total(self)', 'def total(self, discount=0)')}\n    def count(self):\n        return len(self.items)\n`,
    'tests/test_count.py':
      'from shop.cart import Cart\n\n\ndef test_count():\n    cart = Cart()\n    cart.add("apple", 2)\n    assert cart.count() == 1\n',
  });
  return { repositoryDir: history.dir, dataFile, merge, importFailure, thinMessage };
}
