/**
 * ssl.principal.mapping.rules, as Kafka's SslPrincipalMapper reads and applies them: a comma-separated list
 * of `RULE:pattern/replacement/[LU]` and `DEFAULT`, tried in order on the client certificate's distinguished
 * name (RFC 2253 form); the first rule whose pattern matches the whole name gives the principal name.
 * DEFAULT gives the distinguished name itself. No rule matching refuses the client (Kafka fails the
 * authentication), so a list without DEFAULT is a whitelist.
 *
 * Patterns are Java regular expressions; the common subset (groups, classes, quantifiers, anchors) means the
 * same in JavaScript. Replacements follow Java's replaceAll: `$n` is group n, `\x` is x, and a reference to a
 * group the pattern does not have stays literal text (as Kafka's escapeLiteralBackReferences makes it).
 */

// Kafka's rule grammar, group for group: 1 DEFAULT, 2 pattern, 4 replacement, 6 case flag, 7 anything else.
const RULE_PATTERN = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const RULE_SPLITTER = new RegExp(String.raw`\s*(` + RULE_PATTERN + String.raw`)\s*(,\s*|$)`, 'g');
const RULE_PARSER = new RegExp(`^(?:${RULE_PATTERN})`);

export class NoMatchingRuleError extends Error {}

interface Rule {
  readonly isDefault: boolean;
  /** The pattern as written (Kafka's toString shows it). */
  readonly source: string;
  readonly replacement: string;
  readonly whole: RegExp | null;
  readonly global: RegExp | null;
  readonly toLowerCase: boolean;
  readonly toUpperCase: boolean;
}

export class SslPrincipalMapper {
  private readonly rules: readonly Rule[];

  /** Parses `rules` (null: "DEFAULT"); an invalid rule throws with Kafka's message. */
  constructor(rules: string | null) {
    this.rules = parseRules(splitRules(rules ?? 'DEFAULT'));
  }

  /** The principal name for a distinguished name; throws NoMatchingRuleError when no rule applies. */
  name(distinguishedName: string): string {
    for (const rule of this.rules) {
      const name = applyRule(rule, distinguishedName);
      if (name !== null) return name;
    }
    throw new NoMatchingRuleError(`No rules apply to ${distinguishedName}, rules ${this.toString()}`);
  }

  /** As Kafka prints it: `SslPrincipalMapper(rules = [RULE:pattern/replacement/L, DEFAULT])`. */
  toString(): string {
    return `SslPrincipalMapper(rules = [${this.rules.map(ruleToString).join(', ')}])`;
  }
}

function splitRules(text: string): string[] {
  return [...text.trim().matchAll(RULE_SPLITTER)].map((m) => m[1] ?? '');
}

function parseRules(texts: readonly string[]): Rule[] {
  const rules: Rule[] = [];
  for (const text of texts) {
    const m = RULE_PARSER.exec(text);
    if (!m) throw new Error(`Invalid rule: ${text}`);
    if (m[0].length !== text.length) throw new Error(`Invalid rule: \`${text}\`, unmatched substring: \`${text.slice(m[0].length)}\``);
    if (m[1] !== undefined) {
      rules.push({ isDefault: true, source: '', replacement: '', whole: null, global: null, toLowerCase: false, toUpperCase: false });
    } else if (m[2] !== undefined) {
      const source = m[2];
      let whole: RegExp;
      let global: RegExp;
      try {
        whole = new RegExp(`^(?:${source})$`);
        global = new RegExp(source, 'g');
      } catch (err) {
        throw new Error(`Invalid rule: ${text}: ${(err as Error).message}`);
      }
      rules.push({ isDefault: false, source, replacement: m[4] ?? '', whole, global, toLowerCase: m[6] === 'L', toUpperCase: m[6] === 'U' });
    }
    // Anything else matched the empty alternative: empty rules are ignored.
  }
  return rules;
}

function applyRule(rule: Rule, dn: string): string | null {
  if (rule.isDefault) return dn;
  if (!rule.whole!.test(dn)) return null;
  // Java's replaceAll: every match of the pattern (a pattern that can match empty also matches at the end).
  const result = dn.replace(rule.global!, (...args: unknown[]) => {
    const groupCount = args.findIndex((a) => typeof a === 'number') - 1;
    const groups = args.slice(0, groupCount + 1) as (string | undefined)[];
    return expandReplacement(rule.replacement, groups, groupCount);
  });
  if (rule.toLowerCase) return result.toLowerCase();
  if (rule.toUpperCase) return result.toUpperCase();
  return result;
}

/** Java's Matcher.appendReplacement, after Kafka made references to missing groups literal. */
function expandReplacement(replacement: string, groups: readonly (string | undefined)[], groupCount: number): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\' && i + 1 < replacement.length) {
      out += replacement[++i];
    } else if (c === '$' && /[0-9]/.test(replacement[i + 1] ?? '')) {
      let j = i + 1;
      while (j < replacement.length && /[0-9]/.test(replacement[j]!)) j++;
      const digits = replacement.slice(i + 1, j);
      if (digits.startsWith('0')) {
        out += groups[0] ?? '';
        i += 1;
        continue;
      }
      // Java takes as many digits as still name an existing group; Kafka keeps a reference to no group literal.
      let ref = Number(digits[0]);
      let used = 1;
      while (used < digits.length && ref * 10 + Number(digits[used]) <= groupCount) ref = ref * 10 + Number(digits[used++]);
      if (ref > groupCount) {
        out += '$';
        continue;
      }
      out += groups[ref] ?? '';
      i += used;
    } else {
      out += c;
    }
  }
  return out;
}

function ruleToString(rule: Rule): string {
  if (rule.isDefault) return 'DEFAULT';
  return `RULE:${rule.source}/${rule.replacement}${rule.toLowerCase ? '/L' : rule.toUpperCase ? '/U' : ''}`;
}
