/**
 * The part of eslint-plugin-security 4 that bench/scan.ts uses (the package ships no types): the
 * plugin object, whose recommended flat config carries the rules and their levels.
 * @see https://github.com/eslint-community/eslint-plugin-security#usage
 */
declare module 'eslint-plugin-security' {
  import type { ESLint, Linter } from 'eslint';

  const plugin: ESLint.Plugin & { configs: { recommended: { rules: Linter.RulesRecord } } };
  export default plugin;
}
