"""What the API and the pages share: the request's platform and transaction (``context``),
body limits, security headers and CSRF, the error answers, languages and labels, the page
helpers (login required, rendering), logging in, and sending files and exports. Imports
``engine`` only, never ``webui.api`` nor ``webui.pages``."""
