"""The sample portfolio: its data, and the run of every command on it."""
