// JSON.parse keeps the last of two equal keys in an object, silently. The
// scenario loader and the history reader (cmk-sim check) refuse such a text,
// naming the key and where it is.

/** An object or list being read by keyTwice: its path, and its keys (an object) or the index of its current item (a list). */
interface Open {
  path: string;
  keys: Set<string> | null;
  index: number;
}

/**
 * The first key that an object of this JSON text holds twice, and its path;
 * undefined when there is none. The text is JSON that JSON.parse accepted, so
 * only strings and brackets need reading: a string is a key where an object
 * expects one (after "{" or ",").
 */
export function keyTwice(text: string): { path: string; key: string } | undefined {
  const open: Open[] = [];
  let keyExpected = false;
  let key = '';
  const pathOfValue = (parent: Open | undefined): string => (parent === undefined ? '' : parent.keys === null ? `${parent.path}[${parent.index}]` : parent.path === '' ? key : `${parent.path}.${key}`);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (keyExpected) {
        const raw = text.slice(i + 1, end);
        key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const keys = open.at(-1)!.keys!;
        if (keys.has(key)) return { path: pathOfValue(open.at(-1)), key };
        keys.add(key);
        keyExpected = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      open.push({ path: pathOfValue(open.at(-1)), keys: c === '{' ? new Set() : null, index: 0 });
      keyExpected = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
      // An empty object ends without a key: what follows it is a value or a comma, never its key.
      keyExpected = false;
    } else if (c === ',') {
      const top = open.at(-1)!;
      if (top.keys === null) top.index++;
      else keyExpected = true;
    }
  }
  return undefined;
}
