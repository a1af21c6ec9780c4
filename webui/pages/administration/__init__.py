"""Pages of an agency's administrators and designers: people, units, keys and books (Quản trị),
approvals of sensitive changes, and the process designer."""
