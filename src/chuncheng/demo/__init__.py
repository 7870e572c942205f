"""The synthetic Kunming: deterministic demo data on the real org tree."""
