import { describe, expect, it } from 'vitest';
import { lexRules, tokenize } from './lexer.js';
import { splitStatements } from './statements.js';

const kinds = (sql: string, d: Parameters<typeof lexRules>[0]): string[] => tokenize(sql, lexRules(d)).map((t) => `${t.kind}:${t.value}`);

describe('lexer: where dialects disagree, each is read as its server reads it', () => {
  it('MySQL strings take backslash escapes; Postgres strings do not', () => {
    expect(splitStatements("SELECT 'a\\'; DROP TABLE x; -- '", lexRules('mysql'))).toHaveLength(1);
    expect(splitStatements("SELECT 'a\\'; DROP TABLE x; -- '", lexRules('postgres')).map((s) => s.text)).toEqual(["SELECT 'a\\'", 'DROP TABLE x']);
  });

  it("Postgres E'' strings take backslash escapes", () => {
    expect(kinds("E'it\\'s'", 'postgres')).toEqual(["string:it's"]);
  });

  it('dollar quotes hide semicolons and comment markers', () => {
    expect(splitStatements('SELECT $f$ a; -- b $f$; SELECT 2', lexRules('postgres'))).toHaveLength(2);
  });

  it('Postgres block comments nest; MySQL ones do not', () => {
    expect(kinds('/* a /* b */ c */ 1', 'postgres')).toEqual(['comment: a /* b */ c ', 'number:1']);
    expect(kinds('/* a /* b */ c', 'mysql')[0]).toBe('comment: a /* b ');
  });

  it('MySQL `--` needs a following space; `#` is a comment only in MySQL', () => {
    expect(kinds('1--1', 'mysql')).toEqual(['number:1', 'op:-', 'op:-', 'number:1']);
    expect(kinds('1 # x', 'mysql')).toEqual(['number:1', 'comment:# x']);
    expect(kinds('1 # x', 'postgres')).toEqual(['number:1', 'op:#', 'word:x']);
  });

  it('MySQL executable comments open and close around code', () => {
    expect(kinds('/*!50000 DROP */', 'mysql')).toEqual(['exec-open:/*!50000', 'word:DROP', 'exec-close:']);
    const [st] = splitStatements('/*!50000 DROP TABLE t */', lexRules('mysql'));
    expect(st?.text).toBe('DROP TABLE t');
    expect(st?.executable).toBe(true);
  });

  it('keeps comment bodies for the hidden-clause check and blanks them for the parser', () => {
    const [st] = splitStatements('DELETE FROM t -- WHERE id = 1', lexRules('postgres'));
    expect(st?.text).toBe('DELETE FROM t');
    expect(st?.comments).toEqual(['-- WHERE id = 1']);
  });

  it('marks unterminated quotes', () => {
    expect(tokenize("SELECT 'abc", lexRules('postgres')).at(-1)?.unterminated).toBe(true);
  });

  it('does not split on semicolons inside parentheses', () => {
    expect(splitStatements('CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)', lexRules('postgres'))).toHaveLength(1);
  });
});
