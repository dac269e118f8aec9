"""AWS service helpers shared by the adapters."""
