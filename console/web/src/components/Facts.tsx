// A read-only view of a document the API describes only as an object (the dispute evidence pack): its keys as
// labels, nested objects as nested lists. Values are shown as the API gave them.
function label(key: string): string {
  return key.replace(/_/g, " ");
}

export function Facts({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span>—</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span>none</span>;
    return (
      <ol>
        {value.map((item, i) => (
          <li key={i}><Facts value={item} /></li>
        ))}
      </ol>
    );
  }
  if (typeof value === "object") {
    return (
      <dl className="facts">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt>{label(k)}</dt>
            <dd><Facts value={v} /></dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{String(value)}</span>;
}
