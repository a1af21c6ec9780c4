"""One's own certificates and delegations in the JSON API."""
