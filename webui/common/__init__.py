"""What the API and the pages share: body limits, security headers and CSRF, the error
answers, languages and labels, the page helpers (login required, rendering), logging in, and
sending files and exports. Imports ``engine`` and ``webui.api.util`` (the request's platform
and transaction), never a blueprint module."""
