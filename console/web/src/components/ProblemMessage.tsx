import { ProblemError } from "../lib/problem";

/** What a service said when it refused: its `detail`, never raw JSON. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ProblemError ? error.message : "Something went wrong; try again.";
  return (
    <p role="alert" className="problem">
      {text}
    </p>
  );
}
