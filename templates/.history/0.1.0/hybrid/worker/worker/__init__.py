"""The Python side of the hybrid: consumes jobs from the broker, runs them, publishes events."""
