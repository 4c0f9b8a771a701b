import { useState } from "react";

/** The cursors of the pages before this one (the API pages with `next_cursor`), so a person can page back too. */
export function useCursors() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    back: cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined,
    on: (next: string | null | undefined) => (next ? () => setCursors([...cursors, next]) : undefined),
    reset: () => setCursors([null]),
  };
}

export function Pager({ back, on }: { back?: () => void; on?: () => void }) {
  return (
    <p>
      <button type="button" className="secondary" disabled={!back} onClick={back}>Previous page</button>{" "}
      <button type="button" className="secondary" disabled={!on} onClick={on}>Next page</button>
    </p>
  );
}
