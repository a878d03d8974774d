// Pages are addressed by the URL's hash (#/offers), so the node serves one index.html and
// a reload or a shared link opens the same page.
import { useEffect, useState } from "react";

export function currentPath(): string {
  const path = window.location.hash.replace(/^#/, "");
  return path.startsWith("/") ? path : "/";
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return path;
}
