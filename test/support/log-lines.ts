/**
 * Keys that appear more than once in one object of a raw JSON line. JSON.parse keeps the last of
 * duplicate keys silently, so log lines are checked on their text.
 */
export function duplicateKeys(line: string): string[] {
  const duplicates: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < line.length && ' \t\r\n'.includes(line[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (line[i] !== '"') {
      if (i >= line.length) throw new Error(`unterminated string in ${line}`);
      i += line[i] === '\\' ? 2 : 1;
    }
    i++;
    return JSON.parse(line.slice(start, i)) as string;
  };
  const value = (): void => {
    ws();
    const c = line[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (line[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = string();
        if (seen.has(key)) duplicates.push(key);
        seen.add(key);
        ws();
        i++; // ':'
        value();
        ws();
        if (line[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (line[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (line[i++] === ']') return;
      }
    } else if (c === '"') {
      string();
    } else {
      while (i < line.length && !',}] \t\r\n'.includes(line[i]!)) i++;
    }
  };
  value();
  return duplicates;
}
