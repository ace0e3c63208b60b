"""Prioritise: scores, ranks and the best selection under budget and capacity."""
