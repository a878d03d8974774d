// CSV exports of API lists (`?format=csv`, docs/API.md): every page, following the cursor in
// X-Next-After, joined into one file. Pages may name different columns (a member present
// only in some records), so rows are re-laid on the union of the headers.
import { problemOf } from "./api";

// RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") row.push(cell), (cell = "");
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += char;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

// One CSV from several pages, each with its header row; cells keep their text as the node
// wrote it (its formula guard included).
export function mergeCsvPages(pages: string[]): string {
  const header: string[] = [];
  const records: Record<string, string>[] = [];
  for (const page of pages) {
    const [names, ...rows] = parseCsv(page);
    if (!names) continue;
    for (const name of names) if (!header.includes(name)) header.push(name);
    for (const row of rows) records.push(Object.fromEntries(names.map((name, i) => [name, row[i] ?? ""])));
  }
  if (header.length === 0) return "";
  return [header, ...records.map((record) => header.map((name) => record[name] ?? ""))].map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
}

// Every page of `path` (an API list with its filters) as one CSV text.
export async function fetchCsv(path: string): Promise<string> {
  const pages: string[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ format: "csv", limit: "500" });
    if (after) query.set("after", after);
    const separator = path.includes("?") ? "&" : "?";
    const response = await fetch(`/api/v1${path}${separator}${query}`, { headers: { Accept: "text/csv" }, credentials: "same-origin" });
    const text = await response.text();
    if (!response.ok) {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the text is the problem
      }
      throw problemOf(response.status, body);
    }
    pages.push(text);
    after = response.headers.get("X-Next-After");
  } while (after);
  return mergeCsvPages(pages);
}

// Hands the text to the browser as a file download.
export function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);  // after the browser has started the download
}
