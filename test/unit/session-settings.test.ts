import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setSql, startupOptions, TEXT_FORMS } from '../../src/pg/session-settings.js';

describe('session settings', () => {
  it('renders SET, SET LOCAL and escaped startup options from one list', () => {
    const settings = [
      { name: 'DateStyle', value: 'ISO, MDY', why: '' },
      { name: 'application_name', value: "it's a\\b", why: '' },
    ];
    assert.equal(setSql(settings), "SET DateStyle = 'ISO, MDY'; SET application_name = E'it''s a\\\\b'");
    assert.equal(setSql(settings, 'transaction'), "SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL application_name = E'it''s a\\\\b'");
    // PostgreSQL splits options at white space; a backslash keeps the next character.
    assert.equal(startupOptions(settings), "-c DateStyle=ISO,\\ MDY -c application_name=it's\\ a\\\\b");
  });

  it('fixes each text form once, with a reason', () => {
    const names = TEXT_FORMS.map((s) => s.name.toLowerCase());
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.includes('bytea_output'));
    for (const s of TEXT_FORMS) assert.ok(s.why.length > 0, s.name);
  });
});
