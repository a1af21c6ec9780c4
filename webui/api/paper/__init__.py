"""Documents, registers, records, search and văn bản để biết in the JSON API."""
