"""Records to archives."""
