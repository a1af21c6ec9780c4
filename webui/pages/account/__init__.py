"""Pages of one's own account: logging in and out, password, certificates, delegations and
notification settings."""
