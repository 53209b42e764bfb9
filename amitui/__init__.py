"""amitui: a keyboard-driven terminal UI for EC2 images (AMIs)."""

__version__ = "0.1.0"
