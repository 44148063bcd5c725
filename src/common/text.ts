// Text as files hold it: a UTF-8 byte-order mark is not content.

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
