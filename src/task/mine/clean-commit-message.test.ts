import { describe, expect, it } from 'vitest';
import { cleanCommitMessage } from './clean-commit-message.ts';

describe('cleanCommitMessage', () => {
  it('drops trailers, bot lines, squash chatter and bare issue references but keeps real bullets', () => {
    const body = [
      'Parse ISO dates with a time zone offset.',
      '',
      '- Offsets like +02:00 are kept',
      '* Update parser.py',
      '* fix lint',
      '* run black',
      '* Apply suggestions from code review',
      '* [pre-commit.ci] auto fixes from pre-commit.com hooks',
      '<!-- readthedocs-preview start -->',
      'Fixes #218',
      '',
      'Co-authored-by: Bob <bob@example.com>',
      'Signed-off-by: Alice <alice@example.com>',
      'Change-Id: I1234',
    ].join('\n');
    expect(cleanCommitMessage('Parse offsets (#219)', body)).toEqual({
      subject: 'Parse offsets',
      body: 'Parse ISO dates with a time zone offset.\n\n- Offsets like +02:00 are kept',
    });
  });

  it('takes the pull request title of a GitHub merge commit', () => {
    expect(
      cleanCommitMessage(
        'Merge pull request #7 from dev/discount',
        'Apply discounts\n\nTotals take a percentage.',
      ),
    ).toEqual({ subject: 'Apply discounts', body: 'Totals take a percentage.' });
  });

  it('keeps a subject that is nothing but an issue reference (to be flagged, not emptied)', () => {
    expect(cleanCommitMessage('Fix #218', '')).toEqual({ subject: 'Fix #218', body: '' });
  });
});
