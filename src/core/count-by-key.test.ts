import { describe, expect, it } from 'vitest';
import { countByKey } from './count-by-key.js';

describe('countByKey', () => {
  it('counts keys that Object.prototype also has as the plain words they are', () => {
    const counts: Record<string, number> = {};
    for (const key of ['feat', 'constructor', 'constructor', 'tostring', 'hasOwnProperty', 'feat']) {
      countByKey(counts, key);
    }
    expect(counts).toEqual({ feat: 2, constructor: 2, tostring: 1, hasOwnProperty: 1 });
    expect(JSON.stringify(counts)).toBe('{"feat":2,"constructor":2,"tostring":1,"hasOwnProperty":1}');
  });
});
