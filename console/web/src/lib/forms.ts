import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import { ProblemError } from "./problem";

/** Put a service's refusal on the form: each field's message beside its field, the detail at the top. */
export function showProblem<T extends FieldValues>(form: UseFormReturn<T>, error: unknown, fields: Path<T>[]): void {
  if (!(error instanceof ProblemError)) {
    form.setError("root", { message: "Something went wrong; try again." });
    return;
  }
  let placed = false;
  for (const name of fields) {
    const message = error.fieldMessage(String(name).split(".").pop() ?? String(name));
    if (message) {
      form.setError(name, { message });
      placed = true;
    }
  }
  // The detail names what the service refused; shown as well when it spoke of no field the form has.
  form.setError("root", { message: placed ? "The service refused some fields; see the messages beside them." : error.message });
}

/** aria attributes tying a field to its message. */
export function described(id: string, message: string | undefined) {
  return message ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
}
