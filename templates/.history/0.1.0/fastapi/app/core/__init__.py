"""Configuration, logging and middleware shared by the whole app."""
