"""Bills feature."""
