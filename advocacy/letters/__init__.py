"""Letters feature."""
