"""Members feature."""
