// Every item of a paged API list (docs/API.md: `limit` up to 500, `after` = the previous page's
// `next_after`), following the cursor to the end: a picker or a browser-side filter that read
// only the first page would silently miss the rest.
import { api } from "./api";

export async function fetchAllPages<T>(
  path: string,
  filters: Record<string, string> = {},
  get: <P>(path: string) => Promise<P> = api.get,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ ...filters, limit: "500" });
    if (after) query.set("after", after);
    const page: { items: T[]; next_after: string | null } = await get(`${path}?${query}`);
    items.push(...page.items);
    after = page.next_after;
  } while (after);
  return items;
}
