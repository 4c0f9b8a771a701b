// RFC 9457 problem details as the services answer them: a person sees `detail` and each field's message next to
// the field, never raw JSON or a stack trace.
export interface FieldError {
  field?: string;
  loc?: (string | number)[];
  message?: string;
  msg?: string;
}

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}

export class ProblemError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail || problem.title || "The request failed");
  }

  /** The message for one field of a form (the last part of the error's location), if the API named it. */
  fieldMessage(name: string): string | undefined {
    const hit = (this.problem.errors ?? []).find((e) => fieldOf(e) === name);
    return hit ? hit.message ?? hit.msg : undefined;
  }
}

/** The field an error names: the last named part of its location ("periods.0" is the field "periods"). */
function fieldOf(e: FieldError): string | undefined {
  const parts = e.field ? e.field.split(".") : (e.loc ?? []).map(String);
  return parts.filter((p) => !/^\d+$/.test(p)).pop();
}

/** The data of an openapi-fetch answer, or a ProblemError carrying what the service said. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const body = (answer.error ?? {}) as Problem;
  throw new ProblemError({ status: answer.response.status, ...(typeof body === "object" ? body : { detail: String(body) }) });
}
