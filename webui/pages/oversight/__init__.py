"""Pages of those who oversee: the auditor's case audit, the register reports and the compliance
statistics."""
