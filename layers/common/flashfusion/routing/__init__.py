"""Model matrix, router and (later) budgets. Pure: no I/O beyond reading the packaged matrix file."""
