"""Provenance records (and, in a later issue, in-file C2PA / XMP marking)."""
