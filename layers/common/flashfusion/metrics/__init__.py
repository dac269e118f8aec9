"""The operating numbers: defined once (definitions), read from the records by the storage adapter."""
