"""Pages of an agency's administrators and designers: people, units, keys and books (Quản trị),
approvals of sensitive changes, the process designer, and the operators' incident desk and
moves of running cases between process versions (vận hành)."""
