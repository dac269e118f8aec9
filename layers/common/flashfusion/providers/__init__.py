"""One adapter per vendor API, plus the offline generators that are the embedded default."""
