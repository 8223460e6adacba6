"""Evaluation: assessments (BerAKHLAK behaviour) and evaluations (ratings, predikat, explanation)."""
