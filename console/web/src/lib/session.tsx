// The signed-in person, as the console's server reads it from the session cookie (the token never reaches scripts).
import { createContext, useContext, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";

export interface Person {
  sub: string;
  name: string;
  roles: string[];
}

// api.md: director includes manager includes analyst.
const INCLUDES: Record<string, string[]> = {
  "billing-director": ["billing-manager", "billing-analyst"],
  "billing-manager": ["billing-analyst"],
};

export function hasRole(person: Person | null | undefined, role: string): boolean {
  if (!person) return false;
  return person.roles.some((r) => r === role || (INCLUDES[r] ?? []).includes(role));
}

const SessionContext = createContext<{ person: Person | null; refresh: () => Promise<void> }>({
  person: null,
  refresh: async () => {},
});

async function fetchSession(): Promise<Person | null> {
  const answer = await fetch("/auth/session", { credentials: "same-origin" });
  return answer.ok ? ((await answer.json()) as Person) : null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const session = useQuery({ queryKey: ["session"], queryFn: fetchSession, staleTime: Infinity });
  if (session.isPending) return <p role="status">Loading…</p>;
  // Everything read so far was read as the previous person: read it again (the session first).
  const refresh = () => client.invalidateQueries();
  return <SessionContext.Provider value={{ person: session.data ?? null, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  return useContext(SessionContext);
}

export async function signOut(): Promise<void> {
  await fetch("/auth/sign-out", { method: "POST", credentials: "same-origin" });
}
