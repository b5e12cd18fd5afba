"""Procurement of drugs and consumables: catalogue, two-invoice chain, volume-based procurement,
prices, shortages and use."""
