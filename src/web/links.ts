/** The page URL of a session (`s_…`) or execution (`e_…`) on a server at `base` (`http://host:port`). */
export function pageUrl(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}/${id.startsWith('s_') ? 's' : 'e'}/${id}`;
}
