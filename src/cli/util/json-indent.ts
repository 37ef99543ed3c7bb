// Go's json.Indent: re-indents JSON text without re-encoding it (escapes and numbers stay as sent).

export function indentJson(text: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => '\n' + indent.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      depth++;
      out += newline();
    }
    needIndent = false;
    switch (c) {
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case '}':
      case ']':
        if (out.endsWith('{') || out.endsWith('[')) out += c;
        else {
          depth--;
          out += newline() + c;
        }
        break;
      case ',':
        out += ',' + newline();
        break;
      case ':':
        out += ': ';
        break;
      case '"':
        inString = true;
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}
