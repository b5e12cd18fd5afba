"""A calibrated synthetic region: people, institutions and a year of care that look like a real city."""
