// Decoding one URL path segment without throwing on malformed percent-escapes.

/** The decoded segment, or undefined when its percent-escapes are malformed (`%E0%A4%A`). */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
