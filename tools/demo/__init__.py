"""The demo: plays the upstream ad platforms, the commercial teams, billing operations and collections against
a running Mediabill, then prints what it produced and where to look."""
