import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * A page that throws while rendering shows what went wrong in place of its content; the header, the navigation and
 * every other page keep working. Without it React unmounts the whole console and leaves a blank window.
 * Layout keys it by the path, so opening another page starts afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("the page failed to render", error, info.componentStack);
  }

  render(): ReactNode {
    if (this.state.error) {
      return (
        <div role="alert" className="problem">
          <h1>This page could not be shown</h1>
          <p>{this.state.error.message}</p>
          <p>The other pages still work; reload this one to try again, and tell the console's maintainers if it keeps happening.</p>
        </div>
      );
    }
    return this.props.children;
  }
}
