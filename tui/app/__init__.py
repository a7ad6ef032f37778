"""The Textual application on top of the core."""
