import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../../src/protocol/messages/index.js';
import { generateTypes } from '../../src/protocol/typegen.js';

const TYPES_FILE = fileURLToPath(new URL('../../src/protocol/messages/types.ts', import.meta.url));

describe('generated message types', () => {
  it('match the message specs (run `npm run gen:types` after changing a spec)', () => {
    const expected = generateTypes(ALL_APIS);
    if (process.env.UPDATE_TYPES === '1') writeFileSync(TYPES_FILE, expected);
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(expected);
  });
});
