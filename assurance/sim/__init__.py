"""Synthetic and simulated network data for demos, benchmarks and ground truth."""
