"""The leads app's forms, one module per part (enterprises.py: the target-enterprise library)."""
