// Delivery states only move forward (src-shared/rules/delivery.ts): a late "delivered" never hides a
// "read", a repeated report changes nothing, a failure is final but never undoes a read.
import { describe, expect, it } from 'vitest';
import { MESSAGE_STATES, type MessageState } from '../../src-shared/domain';
import { advancedState } from '../../src-shared/rules/delivery';

describe('advancedState', () => {
  it('moves sent -> delivered -> read, and ignores a report that is behind or repeated', () => {
    expect(advancedState('sent', 'delivered')).toBe('delivered');
    expect(advancedState('sent', 'read')).toBe('read');
    expect(advancedState('delivered', 'read')).toBe('read');
    expect(advancedState('read', 'delivered')).toBeNull();
    expect(advancedState('delivered', 'sent')).toBeNull();
    expect(advancedState('read', 'read')).toBeNull();
  });

  it('takes a failure unless the customer already read the message, and nothing after a failure', () => {
    expect(advancedState('sent', 'failed')).toBe('failed');
    expect(advancedState('delivered', 'failed')).toBe('failed');
    expect(advancedState('read', 'failed')).toBeNull();
    for (const reported of MESSAGE_STATES) expect(advancedState('failed', reported)).toBeNull();
  });

  it('never moves a state backwards, whatever order the reports come in', () => {
    const rank = (s: MessageState) => ['sent', 'delivered', 'read', 'failed'].indexOf(s);
    for (const current of MESSAGE_STATES)
      for (const reported of MESSAGE_STATES) {
        const next = advancedState(current, reported);
        if (next !== null) expect(rank(next)).toBeGreaterThan(rank(current));
      }
  });
});
