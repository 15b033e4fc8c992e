"""Cities feature."""
