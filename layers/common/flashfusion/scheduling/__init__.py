"""Campaign planning, schedules and platform publishers (see the campaigns issue)."""
