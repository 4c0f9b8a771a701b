// Development sign-in (./mediabill up): a name and the roles of api.md, for which the console's server mints a dev
// token. With OpenID Connect the page sends the person to the identity provider instead.
import { useQuery } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { Navigate, useNavigate } from "react-router-dom";
import { useState } from "react";
import { Field } from "../../../components/Field";
import { useSession } from "../../../lib/session";

interface AuthConfig {
  mode: "dev" | "oidc";
  roles: string[];
}

interface SignInForm {
  name: string;
  roles: string[];
}

export function SignInPage() {
  const navigate = useNavigate();
  const { person, refresh } = useSession();
  const [error, setError] = useState<string>();
  const config = useQuery({ queryKey: ["auth-config"], queryFn: async () => (await (await fetch("/auth/config")).json()) as AuthConfig });
  const form = useForm<SignInForm>({ defaultValues: { name: "", roles: [] } });
  if (person) return <Navigate to="/" replace />;
  if (!config.data) return <main id="main"><p role="status">Loading…</p></main>;
  if (config.data.mode === "oidc") {
    return (
      <main id="main">
        <h1>Sign in to Mediabill</h1>
        <a href="/auth/login">Sign in with your organisation's account</a>
      </main>
    );
  }
  const submit = form.handleSubmit(async (values) => {
    const answer = await fetch("/auth/dev/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: values.name, roles: values.roles }),
    });
    if (!answer.ok) {
      setError(((await answer.json()) as { detail?: string }).detail ?? "Sign-in failed");
      return;
    }
    await refresh();
    navigate("/");
  });
  return (
    <main id="main">
      <h1>Sign in to Mediabill (development)</h1>
      <form onSubmit={submit} className="panel" style={{ maxWidth: 480 }}>
        <Field id="name" label="Your name or e-mail">
          <input id="name" autoComplete="username" {...form.register("name", { required: true })} />
        </Field>
        <fieldset>
          <legend>Roles</legend>
          {config.data.roles.map((role) => (
            <div key={role}>
              <input type="checkbox" id={`role-${role}`} value={role} {...form.register("roles", { required: true })} />
              <label htmlFor={`role-${role}`}>{role}</label>
            </div>
          ))}
        </fieldset>
        {error ? <p role="alert" className="problem">{error}</p> : null}
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </main>
  );
}
