"""Completions that sign (issue 19): read in a short transaction, signed with none open, recorded
in a short one that checks the case has not moved; the register's number taken only there."""
