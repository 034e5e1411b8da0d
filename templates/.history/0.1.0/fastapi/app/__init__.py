"""The application package: `python -m app` serves it."""
