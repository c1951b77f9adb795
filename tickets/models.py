"""Models of the tickets app arrive with its issue."""
