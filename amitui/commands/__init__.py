"""Subcommands that answer scripts with the app's own engine (``amitui list``)."""
