"""Notifications: what the product's events tell people (messages) and where it is sent (channels)."""
