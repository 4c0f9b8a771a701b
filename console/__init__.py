"""The operations console: its server (assets, development sign-in, the same-origin proxy to the services' APIs)
and the web application in console/web (docs/architecture.md, "The console")."""
