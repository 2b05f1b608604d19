"""Reference applications built on Podium."""
