/**
 * Whether `text` matches `pattern`, where `*` stands for any run of
 * characters (none included) and every other character for itself. In
 * linear time whatever the pattern (no regular expression, no backtracking):
 * the parts between stars are found left to right, each at its first place.
 */
export function globMatch (pattern: string, text: string): boolean {
  const parts = pattern.split('*')
  if (parts.length === 1) return pattern === text
  const head = parts[0] as string
  const tail = parts[parts.length - 1] as string
  if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false
  let at = head.length
  const end = text.length - tail.length
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string
    if (part === '') continue
    const found = text.indexOf(part, at)
    if (found < 0 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}
